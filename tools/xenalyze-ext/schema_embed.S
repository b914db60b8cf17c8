/*
 * schema_embed.S - schemas/schema.sql and schemas/catalogue.sql, built into
 * the binary as NUL-terminated strings so that an installed xenalyze-ext
 * creates its database without looking for files.  Assembled from the
 * repository root (module.mk), which is where the paths start.
 */
    .section .rodata
    .global xa_schema_sql
    .type xa_schema_sql, @object
xa_schema_sql:
    .incbin "schemas/schema.sql"
    .byte 0
    .global xa_catalogue_sql
    .type xa_catalogue_sql, @object
xa_catalogue_sql:
    .incbin "schemas/catalogue.sql"
    .byte 0
    .section .note.GNU-stack,"",@progbits
