"""Research security for designated programmes (特定研究開発プログラム; DOMAIN.md §8 [r2], the procedure of Dec. 2025,
source lines 1580-1645): the researchers' declarations, what they are checked for, and the application's review."""
