"""Technology areas that programmes are tagged with (DOMAIN.md §9).

The twelve economic-security critical technology areas of December 2025 (source lines 849-900,
listed also at 467-478) and, until programmes are re-tagged, the twenty areas the 2022 basic
guideline on specified critical technologies gave as examples (source lines 195-208, 634-647).
"""

from __future__ import annotations

from dataclasses import dataclass


# A dataclass, not a tuple, so that pydantic and FastAPI serialise it as an object.
@dataclass(frozen=True)
class Area:
    code: str
    name_ja: str
    name_en: str
    interim: bool


_CURRENT = [
    ("maritime_shipbuilding", "海洋・造船関連技術領域", "Maritime and shipbuilding"),
    ("aviation", "航空関連技術領域", "Aviation"),
    ("digital_cyber", "デジタル・サイバーセキュリティ関連技術領域", "Digital and cybersecurity"),
    ("energy_gx", "資源・エネルギー安全保障・GX関連技術領域", "Resources, energy security and GX"),
    (
        "bio_health_food",
        "創薬・医療・ヘルスケア・バイオ・フードテック関連技術領域",
        "Drug discovery, medical, healthcare, bio and food tech",
    ),
    (
        "manufacturing_materials",
        "製造・マテリアル（重要鉱物・部素材）関連技術領域",
        "Manufacturing and materials (critical minerals, parts and materials)",
    ),
    (
        "mobility_logistics",
        "モビリティ・輸送・港湾ロジスティクス（物流）関連技術領域",
        "Mobility, transport and port logistics",
    ),
    ("ai_robotics", "AI・先端ロボット関連技術領域", "AI and advanced robotics"),
    ("quantum", "量子関連技術領域", "Quantum"),
    ("semiconductors_comms", "半導体・通信関連技術領域", "Semiconductors and communications"),
    ("fusion", "フュージョンエネルギー関連技術領域", "Fusion energy"),
    ("space", "宇宙関連技術領域", "Space"),
]

# In the guideline's order (the source prints them in two columns).
_INTERIM = [
    ("biotechnology", "バイオ技術", "Biotechnology"),
    ("medical_public_health", "医療・公衆衛生技術（ゲノム学含む）", "Medical and public health technology (incl. genomics)"),
    ("ai_machine_learning", "人工知能・機械学習技術", "Artificial intelligence and machine learning"),
    ("advanced_computing", "先端コンピューティング技術", "Advanced computing"),
    ("microprocessors_semiconductors", "マイクロプロセッサ・半導体技術", "Microprocessors and semiconductors"),
    ("data_science", "データ科学・分析・蓄積・運用技術", "Data science, analytics, storage and management"),
    ("advanced_engineering_manufacturing", "先端エンジニアリング・製造技術", "Advanced engineering and manufacturing"),
    ("robotics", "ロボット工学", "Robotics"),
    ("quantum_information_science", "量子情報科学", "Quantum information science"),
    (
        "advanced_surveillance_positioning_sensing",
        "先端監視・測位・センサー技術",
        "Advanced surveillance, positioning and sensing",
    ),
    ("brain_computer_interface", "脳コンピュータ・インターフェース技術", "Brain-computer interfaces"),
    ("advanced_energy_storage", "先端エネルギー・蓄エネルギー技術", "Advanced energy and energy storage"),
    ("advanced_communications_networking", "高度情報通信・ネットワーク技術", "Advanced communications and networking"),
    ("cybersecurity", "サイバーセキュリティ技術", "Cybersecurity"),
    ("space", "宇宙関連技術", "Space"),
    ("marine", "海洋関連技術", "Marine technology"),
    ("transportation", "輸送技術", "Transportation"),
    ("hypersonics", "極超音速", "Hypersonics"),
    ("cbrn", "化学・生物・放射性物質及び核", "Chemical, biological, radiological and nuclear (CBRN)"),
    ("advanced_materials", "先端材料科学", "Advanced materials science"),
]

TECHNOLOGY_AREAS: dict[str, Area] = {
    **{code: Area(code, ja, en, False) for code, ja, en in _CURRENT},
    **{f"interim_{code}": Area(f"interim_{code}", ja, en, True) for code, ja, en in _INTERIM},
}


def is_known_area(code: object) -> bool:
    """Whether ``code`` names one of the current or interim technology areas."""
    return isinstance(code, str) and code in TECHNOLOGY_AREAS
