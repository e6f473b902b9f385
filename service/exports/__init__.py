"""CSV exports of the lists (cases, deadlines, shareholders, messages, the audit trail), for Excel and for machines:
`csv_writer` writes the bytes, `words` says each code in the reader's language, `service` has one function per
export, `response` makes the streamed download of one."""
