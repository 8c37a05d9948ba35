#pragma once
// The catalog queries of the schema reader, one per object kind. $1 is the --schema list and
// $2 the --exclude-schema list (text[]); every name is quoted and schema-qualified because
// the reader pins search_path to pg_catalog. Objects that belong to an extension are left out
// (the extension is the unit), as pg_dump does.
namespace hectic::schema::sql {

// Pulled into each query: is schema n in the diff?
#define HECTIC_SCHEMA_OK(n)                                                                          \
  "(CASE WHEN cardinality($1::text[]) > 0 THEN " n ".nspname = ANY($1::text[]) ELSE " n            \
  ".nspname !~ '^pg_' AND " n ".nspname NOT IN ('information_schema', 'hectic') END AND " n        \
  ".nspname <> ALL($2::text[]))"
#define HECTIC_NOT_EXTENSION_MEMBER(catalog, oid)                                                    \
  "NOT EXISTS (SELECT FROM pg_depend xd WHERE xd.classid = '" catalog "'::regclass AND xd.objid = " oid \
  " AND xd.deptype = 'e')"
// [[grantee, privilege, grantable], ...] without the owner (owners differ between environments).
#define HECTIC_GRANTS(acl, type, owner)                                                              \
  "(SELECT coalesce(json_agg(json_build_array(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "           \
  "quote_ident(r.rolname) END, a.privilege_type, a.is_grantable)), '[]') FROM "                     \
  "aclexplode(coalesce(" acl ", acldefault('" type "', " owner "))) a LEFT JOIN pg_roles r ON "     \
  "r.oid = a.grantee WHERE a.grantee <> " owner ")::text"
#define HECTIC_QNAME(n, name) "quote_ident(" n ".nspname) || '.' || quote_ident(" name ")"

inline constexpr const char* schemas =
    "SELECT n.oid, quote_ident(n.nspname), obj_description(n.oid, 'pg_namespace'), "
    HECTIC_GRANTS("n.nspacl", "n", "n.nspowner")
    " FROM pg_namespace n WHERE " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_namespace", "n.oid") " ORDER BY 2";

inline constexpr const char* extensions =
    "SELECT x.oid, quote_ident(x.extname), x.extversion, quote_ident(n.nspname) "
    "FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace "
    "WHERE x.extname <> 'plpgsql' AND (" HECTIC_SCHEMA_OK("n") " OR n.nspname = 'pg_catalog') ORDER BY 2";

// oid, name, typtype, definition body, enum labels (json), comment, grants, typrelid, array oid,
// range canonical function, multirange oid, range companions (json: multirange, constructors)
inline constexpr const char* types =
    "SELECT t.oid, " HECTIC_QNAME("n", "t.typname") ", t.typtype, "
    "CASE t.typtype "
    " WHEN 'e' THEN 'AS ENUM (' || coalesce((SELECT string_agg(quote_literal(l.enumlabel), ', ' ORDER BY "
    "   l.enumsortorder) FROM pg_enum l WHERE l.enumtypid = t.oid), '') || ')' "
    " WHEN 'c' THEN 'AS (' || coalesce((SELECT string_agg(quote_ident(a.attname) || ' ' || "
    "   format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attcollation <> 0 AND a.attcollation <> "
    "   at.typcollation THEN ' COLLATE ' || (SELECT " HECTIC_QNAME("cn", "co.collname")
    "   FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) "
    "   ELSE '' END, ', ' ORDER BY a.attnum) FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid "
    "   WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '') || ')' "
    " WHEN 'd' THEN 'AS ' || format_type(t.typbasetype, t.typtypmod) "
    "   || CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation THEN ' COLLATE ' || "
    "   (SELECT " HECTIC_QNAME("cn", "co.collname") " FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "
    "   co.collnamespace WHERE co.oid = t.typcollation) ELSE '' END "
    "   || coalesce(' DEFAULT ' || t.typdefault, '') || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END "
    "   || coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(dc.conname) || ' ' || "
    "   pg_get_constraintdef(dc.oid), '' ORDER BY dc.conname) FROM pg_constraint dc WHERE dc.contypid = t.oid), '') "
    " WHEN 'r' THEN 'AS RANGE (SUBTYPE = ' || format_type(rg.rngsubtype, NULL) "
    "   || CASE WHEN rg.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || rg.rngsubdiff::regproc::text ELSE '' END "
    "   || CASE WHEN rg.rngcollation <> 0 AND rg.rngcollation <> st.typcollation THEN ', COLLATION = ' || "
    "   (SELECT " HECTIC_QNAME("cn", "co.collname") " FROM pg_collation co JOIN pg_namespace cn ON cn.oid = "
    "   co.collnamespace WHERE co.oid = rg.rngcollation) ELSE '' END "
    "   || ', MULTIRANGE_TYPE_NAME = ' || (SELECT " HECTIC_QNAME("mn", "mt.typname") " FROM pg_type mt JOIN "
    "   pg_namespace mn ON mn.oid = mt.typnamespace WHERE mt.oid = rg.rngmultitypid) || ')' END, "
    "(SELECT json_agg(l.enumlabel ORDER BY l.enumsortorder) FROM pg_enum l WHERE l.enumtypid = t.oid), "
    "obj_description(t.oid, 'pg_type'), " HECTIC_GRANTS("t.typacl", "T", "t.typowner") ", "
    "t.typrelid, nullif(t.typarray, 0), rg.rngcanonical::regproc::text, nullif(rg.rngmultitypid, 0), "
    "CASE WHEN t.typtype = 'r' THEN (SELECT json_agg(c ORDER BY c) FROM (SELECT 'TYPE ' || " HECTIC_QNAME("mn", "mt.typname")
    "  AS c FROM pg_type mt JOIN pg_namespace mn ON mn.oid = mt.typnamespace WHERE mt.oid = rg.rngmultitypid "
    "  UNION ALL SELECT 'FUNCTION ' || cd.objid::regprocedure::text FROM pg_depend cd WHERE cd.classid = "
    "  'pg_proc'::regclass AND cd.refclassid = 'pg_type'::regclass AND cd.refobjid IN (t.oid, rg.rngmultitypid) "
    "  AND cd.deptype = 'i') companions) END "
    "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
    "LEFT JOIN pg_type bt ON bt.oid = t.typbasetype LEFT JOIN pg_range rg ON rg.rngtypid = t.oid "
    "LEFT JOIN pg_type st ON st.oid = rg.rngsubtype LEFT JOIN pg_class tc ON tc.oid = t.typrelid "
    "WHERE " HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_type", "t.oid")
    " AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c')) ORDER BY 2";

inline constexpr const char* domain_constraints =
    "SELECT dc.oid, " HECTIC_QNAME("n", "t.typname") " FROM pg_constraint dc JOIN pg_type t ON t.oid = dc.contypid "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE " HECTIC_SCHEMA_OK("n");

// oid, name, options, comment, grants, owning table, owning column, current value (the
// stored last_value: its start when never called or unreadable), unlogged
inline constexpr const char* sequences =
    "SELECT c.oid, " HECTIC_QNAME("n", "c.relname") ", "
    "'AS ' || format_type(s.seqtypid, NULL) || ' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin "
    "|| ' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart || ' CACHE ' || s.seqcache || "
    "CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END, "
    "obj_description(c.oid, 'pg_class'), " HECTIC_GRANTS("c.relacl", "s", "c.relowner") ", "
    "(SELECT " HECTIC_QNAME("tn", "tc.relname") " FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid "
    " JOIN pg_namespace tn ON tn.oid = tc.relnamespace WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
    " AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0), "
    "(SELECT quote_ident(a.attname) FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND "
    " a.attnum = d.refobjsubid WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
    " AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' AND d.refobjsubid > 0), "
    "COALESCE(CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') THEN pg_sequence_last_value(c.oid) END, "
    " s.seqstart), c.relpersistence = 'u' "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence s ON s.seqrelid = c.oid "
    "WHERE c.relkind = 'S' AND " HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid")
    " AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid "
    " AND d.deptype = 'i') ORDER BY 2";

// oid, name, relkind, persistence, partition key, partition bound, partition parent,
// INHERITS parents (json), rls, force rls, reltuples, comment, grants, rowtype oid, reloptions,
// unquoted name, replica identity, TOAST reloptions
inline constexpr const char* tables =
    "SELECT c.oid, " HECTIC_QNAME("n", "c.relname") ", c.relkind, c.relpersistence, "
    "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
    "CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END, "
    "(SELECT " HECTIC_QNAME("pn", "pc.relname") " FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent "
    " JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition), "
    "(SELECT coalesce(json_agg(" HECTIC_QNAME("pn", "pc.relname") " ORDER BY i.inhseqno), '[]') FROM pg_inherits i "
    " JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace "
    " WHERE i.inhrelid = c.oid AND NOT c.relispartition), "
    "c.relrowsecurity, c.relforcerowsecurity, c.reltuples, obj_description(c.oid, 'pg_class'), "
    HECTIC_GRANTS("c.relacl", "r", "c.relowner") ", c.reltype, array_to_string(c.reloptions, ', '), "
    "n.nspname || '.' || c.relname, "
    // An identity index that was dropped behaves as NOTHING but shows as the default (pg_dump).
    "CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING' WHEN 'i' THEN coalesce((SELECT "
    " 'USING INDEX ' || quote_ident(ic.relname) FROM pg_index ri JOIN pg_class ic ON ic.oid = ri.indexrelid "
    " WHERE ri.indrelid = c.oid AND ri.indisreplident), '') ELSE '' END, "
    "(SELECT string_agg('toast.' || o, ', ') FROM pg_class tc, unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid") " ORDER BY 2";

// table oid, attnum, name, type, collation, default, not null, identity, generated, local,
// comment, grants, attrdef oid, identity sequence options, identity sequence, its grants,
// storage (when not the type's), the type's storage, statistics target, compression, attribute
// options
#define HECTIC_STORAGE_WORD(letter)                                                                  \
  "CASE " letter " WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'x' THEN 'EXTENDED' WHEN 'm' THEN 'MAIN' END"
inline constexpr const char* columns =
    "SELECT a.attrelid, a.attnum, quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), "
    "CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN (SELECT "
    HECTIC_QNAME("cn", "co.collname") " FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace "
    " WHERE co.oid = a.attcollation) END, "
    "CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END, a.attnotnull, a.attidentity, "
    "CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END, a.attislocal, "
    "col_description(a.attrelid, a.attnum), "
    HECTIC_GRANTS("a.attacl", "c", "c.relowner") ", ad.oid, "
    "CASE WHEN a.attidentity <> '' THEN (SELECT 'START WITH ' || s.seqstart || ' INCREMENT BY ' || s.seqincrement "
    " || ' MINVALUE ' || s.seqmin || ' MAXVALUE ' || s.seqmax || ' CACHE ' || s.seqcache || CASE WHEN s.seqcycle "
    " THEN ' CYCLE' ELSE ' NO CYCLE' END FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid WHERE "
    " d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid AND "
    " d.refobjsubid = a.attnum AND d.deptype = 'i') END, "
    "ids.name, ids.grants, "
    "CASE WHEN a.attstorage <> t.typstorage THEN " HECTIC_STORAGE_WORD("a.attstorage") " END, "
    HECTIC_STORAGE_WORD("t.typstorage") ", a.attstattarget, "
    "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END, array_to_string(a.attoptions, ', ') "
    "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum "
    "LEFT JOIN LATERAL (SELECT " HECTIC_QNAME("sn", "sc.relname") " AS name, " HECTIC_GRANTS("sc.relacl", "s", "sc.relowner")
    " AS grants FROM pg_depend d JOIN pg_class sc ON sc.oid = d.objid JOIN pg_namespace sn ON sn.oid = sc.relnamespace "
    " WHERE a.attidentity <> '' AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND "
    " d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i') ids ON true "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped AND "
    HECTIC_SCHEMA_OK("n") " ORDER BY a.attrelid, a.attnum";

// oid, table, name, contype, definition, comment, backing index oid
inline constexpr const char* constraints =
    "SELECT k.oid, " HECTIC_QNAME("n", "c.relname") ", quote_ident(k.conname), k.contype, "
    "pg_get_constraintdef(k.oid), obj_description(k.oid, 'pg_constraint'), nullif(k.conindid, 0) "
    "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE k.contype IN ('p', 'u', 'f', 'c', 'x') AND k.conislocal AND k.conparentid = 0 AND "
    "c.relkind IN ('r', 'p') AND " HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid")
    " ORDER BY 2, 3";

// oid, index name, table, definition, comment, on a partitioned table
inline constexpr const char* indexes =
    "SELECT i.indexrelid, " HECTIC_QNAME("n", "ic.relname") ", " HECTIC_QNAME("n", "c.relname") ", "
    "pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class'), c.relkind = 'p' "
    "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p', 'm') AND NOT ic.relispartition AND " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid") " AND NOT EXISTS (SELECT FROM pg_constraint k WHERE "
    "k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY 2";

// oid, name, relkind, definition, reloptions, comment, grants, rewrite rule oid, rowtype oid,
// unquoted name
inline constexpr const char* views =
    "SELECT c.oid, " HECTIC_QNAME("n", "c.relname") ", c.relkind, pg_get_viewdef(c.oid), "
    "array_to_string(c.reloptions, ', '), obj_description(c.oid, 'pg_class'), "
    HECTIC_GRANTS("c.relacl", "r", "c.relowner") ", (SELECT rw.oid FROM pg_rewrite rw WHERE rw.ev_class = c.oid "
    " AND rw.rulename = '_RETURN'), c.reltype, n.nspname || '.' || c.relname "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('v', 'm') AND " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid") " ORDER BY 2";

// oid, name, identity argument types, prokind, definition, result, full arguments, comment,
// grants, language, aggregate definition body, unquoted name
inline constexpr const char* functions =
    "SELECT p.oid, " HECTIC_QNAME("n", "p.proname") ", oidvectortypes(p.proargtypes), p.prokind, "
    "CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END, pg_get_function_result(p.oid), "
    "pg_get_function_arguments(p.oid), obj_description(p.oid, 'pg_proc'), "
    HECTIC_GRANTS("p.proacl", "f", "p.proowner") ", l.lanname, "
    "CASE WHEN p.prokind = 'a' THEN (SELECT CASE WHEN ag.aggkind <> 'n' THEN NULL ELSE "
    " 'SFUNC = ' || ag.aggtransfn::regproc::text || ', STYPE = ' || format_type(ag.aggtranstype, NULL) "
    " || CASE WHEN ag.aggfinalfn <> 0 THEN ', FINALFUNC = ' || ag.aggfinalfn::regproc::text ELSE '' END "
    " || CASE WHEN ag.aggcombinefn <> 0 THEN ', COMBINEFUNC = ' || ag.aggcombinefn::regproc::text ELSE '' END "
    " || CASE WHEN ag.agginitval IS NOT NULL THEN ', INITCOND = ' || quote_literal(ag.agginitval) ELSE '' END "
    " || CASE WHEN ag.aggsortop <> 0 THEN ', SORTOP = OPERATOR(' || ag.aggsortop::regoperator::text || ')' "
    "    ELSE '' END "
    " || CASE WHEN ag.aggfinalextra THEN ', FINALFUNC_EXTRA' ELSE '' END "
    " || CASE WHEN ag.aggfinalfn <> 0 AND ag.aggfinalmodify <> 'r' THEN ', FINALFUNC_MODIFY = ' || "
    "    CASE ag.aggfinalmodify WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END ELSE '' END "
    " || CASE WHEN ag.aggserialfn <> 0 THEN ', SERIALFUNC = ' || ag.aggserialfn::regproc::text ELSE '' END "
    " || CASE WHEN ag.aggdeserialfn <> 0 THEN ', DESERIALFUNC = ' || ag.aggdeserialfn::regproc::text ELSE '' END "
    " || CASE WHEN ag.aggtransspace <> 0 THEN ', SSPACE = ' || ag.aggtransspace ELSE '' END "
    " || CASE WHEN ag.aggmtransfn <> 0 THEN ', MSFUNC = ' || ag.aggmtransfn::regproc::text || ', MINVFUNC = ' || "
    "    ag.aggminvtransfn::regproc::text || ', MSTYPE = ' || format_type(ag.aggmtranstype, NULL) ELSE '' END "
    " || CASE WHEN ag.aggmtransspace <> 0 THEN ', MSSPACE = ' || ag.aggmtransspace ELSE '' END "
    " || CASE WHEN ag.aggmfinalfn <> 0 THEN ', MFINALFUNC = ' || ag.aggmfinalfn::regproc::text ELSE '' END "
    " || CASE WHEN ag.aggmfinalextra THEN ', MFINALFUNC_EXTRA' ELSE '' END "
    " || CASE WHEN ag.aggmfinalfn <> 0 AND ag.aggmfinalmodify <> 'r' THEN ', MFINALFUNC_MODIFY = ' || "
    "    CASE ag.aggmfinalmodify WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END ELSE '' END "
    " || CASE WHEN ag.aggminitval IS NOT NULL THEN ', MINITCOND = ' || quote_literal(ag.aggminitval) ELSE '' END "
    " || CASE p.proparallel WHEN 's' THEN ', PARALLEL = SAFE' WHEN 'r' THEN ', PARALLEL = RESTRICTED' ELSE '' END "
    " END FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid) END, "
    "n.nspname || '.' || p.proname "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang "
    "WHERE " HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_proc", "p.oid")
    // Range and multirange constructors belong to their type (an internal dependency).
    " AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid "
    " AND d.deptype = 'i') ORDER BY 2, 3";

// oid, table, name, definition, comment, enabled
inline constexpr const char* triggers =
    "SELECT t.oid, " HECTIC_QNAME("n", "c.relname") ", quote_ident(t.tgname), pg_get_triggerdef(t.oid), "
    "obj_description(t.oid, 'pg_trigger'), t.tgenabled "
    "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid") " ORDER BY 2, 3";

// oid, name, event, function, tags, enabled, comment. An event trigger belongs to no schema:
// it is compared when its function's schema is (the hectic bundle's stay out with schema hectic).
inline constexpr const char* event_triggers =
    "SELECT e.oid, quote_ident(e.evtname), e.evtevent, e.evtfoid::regproc::text, "
    "(SELECT string_agg(quote_literal(tag), ', ' ORDER BY tag) FROM unnest(e.evttags) tag), e.evtenabled, "
    "obj_description(e.oid, 'pg_event_trigger') FROM pg_event_trigger e "
    "JOIN pg_proc ep ON ep.oid = e.evtfoid JOIN pg_namespace n ON n.oid = ep.pronamespace WHERE "
    HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_event_trigger", "e.oid") " ORDER BY 2";

// oid, table, name, definition after "ON table", comment
inline constexpr const char* policies =
    "SELECT p.oid, " HECTIC_QNAME("n", "c.relname") ", quote_ident(p.polname), "
    "'AS ' || CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END || ' FOR ' || "
    "CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' "
    "ELSE 'ALL' END || ' TO ' || (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE "
    " quote_ident(pg_get_userbyid(r)) END, ', ' ORDER BY 1) FROM unnest(p.polroles) r) "
    "|| coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') "
    "|| coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', ''), "
    "obj_description(p.oid, 'pg_policy') "
    "FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE " HECTIC_SCHEMA_OK("n") " ORDER BY 2, 3";

// Dependencies between user objects (normal and auto), as catalog + oid pairs.
// catalog, oid, owner (quoted): with --owner, the owners of what the other queries read.
inline constexpr const char* owners =
    "SELECT 'pg_namespace', oid, quote_ident(pg_get_userbyid(nspowner)) FROM pg_namespace UNION ALL "
    "SELECT 'pg_type', oid, quote_ident(pg_get_userbyid(typowner)) FROM pg_type WHERE typtype IN ('e', 'd', 'r', 'c') "
    "UNION ALL SELECT 'pg_class', oid, quote_ident(pg_get_userbyid(relowner)) FROM pg_class "
    " WHERE relkind IN ('r', 'p', 'v', 'm', 'S') UNION ALL "
    "SELECT 'pg_proc', oid, quote_ident(pg_get_userbyid(proowner)) FROM pg_proc UNION ALL "
    "SELECT 'pg_event_trigger', oid, quote_ident(pg_get_userbyid(evtowner)) FROM pg_event_trigger";

inline constexpr const char* depend =
    "SELECT d.classid::regclass::text, d.objid, d.objsubid, d.refclassid::regclass::text, d.refobjid, "
    "d.refobjsubid, d.deptype FROM pg_depend d WHERE d.deptype IN ('n', 'a') AND d.refobjid >= 16384 AND d.objid >= 16384";

// Kinds the engine does not diff, present in the covered schemas: kind, name.
inline constexpr const char* unsupported =
    "SELECT 'foreign table', " HECTIC_QNAME("n", "c.relname") " FROM pg_class c JOIN pg_namespace n ON "
    " n.oid = c.relnamespace WHERE c.relkind = 'f' AND " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_class", "c.oid") " "
    "UNION ALL SELECT 'rule', quote_ident(r.rulename) || ' on ' || " HECTIC_QNAME("n", "c.relname")
    " FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace "
    " WHERE r.rulename <> '_RETURN' AND " HECTIC_SCHEMA_OK("n") " "
    "UNION ALL SELECT 'operator', o.oid::regoperator::text FROM pg_operator o JOIN pg_namespace n ON "
    " n.oid = o.oprnamespace WHERE " HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_operator", "o.oid")
    " UNION ALL SELECT 'collation', " HECTIC_QNAME("n", "co.collname") " FROM pg_collation co JOIN pg_namespace n "
    " ON n.oid = co.collnamespace WHERE " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_collation", "co.oid")
    " UNION ALL SELECT 'base type', " HECTIC_QNAME("n", "t.typname") " FROM pg_type t JOIN pg_namespace n ON "
    " n.oid = t.typnamespace WHERE t.typtype = 'b' AND t.typelem = 0 AND " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_type", "t.oid")
    " UNION ALL SELECT 'text search configuration', " HECTIC_QNAME("n", "cf.cfgname") " FROM pg_ts_config cf "
    " JOIN pg_namespace n ON n.oid = cf.cfgnamespace WHERE " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_ts_config", "cf.oid")
    " UNION ALL SELECT 'publication', quote_ident(pubname) FROM pg_publication"
    " UNION ALL SELECT 'statistics object', " HECTIC_QNAME("n", "s.stxname") " FROM pg_statistic_ext s "
    " JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE " HECTIC_SCHEMA_OK("n")
    " UNION ALL SELECT 'operator class', " HECTIC_QNAME("n", "oc.opcname") " FROM pg_opclass oc JOIN pg_namespace n "
    " ON n.oid = oc.opcnamespace WHERE " HECTIC_SCHEMA_OK("n") " AND " HECTIC_NOT_EXTENSION_MEMBER("pg_opclass", "oc.oid")
    " UNION ALL SELECT 'operator family', " HECTIC_QNAME("n", "of.opfname") " FROM pg_opfamily of JOIN pg_namespace n "
    " ON n.oid = of.opfnamespace WHERE " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_opfamily", "of.oid")
    " UNION ALL SELECT 'text search dictionary', " HECTIC_QNAME("n", "d.dictname") " FROM pg_ts_dict d JOIN "
    " pg_namespace n ON n.oid = d.dictnamespace WHERE " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_ts_dict", "d.oid")
    " UNION ALL SELECT 'conversion', " HECTIC_QNAME("n", "cv.conname") " FROM pg_conversion cv JOIN pg_namespace n "
    " ON n.oid = cv.connamespace WHERE " HECTIC_SCHEMA_OK("n") " AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_conversion", "cv.oid")
    " UNION ALL SELECT 'shell type', " HECTIC_QNAME("n", "t.typname") " FROM pg_type t JOIN pg_namespace n ON "
    " n.oid = t.typnamespace WHERE NOT t.typisdefined AND " HECTIC_SCHEMA_OK("n")
    // Objects of no schema: only those made after initdb (FirstNormalObjectId) and by no extension.
    " UNION ALL SELECT 'cast', format_type(ca.castsource, NULL) || ' AS ' || format_type(ca.casttarget, NULL) FROM "
    " pg_cast ca WHERE ca.oid >= 16384 AND " HECTIC_NOT_EXTENSION_MEMBER("pg_cast", "ca.oid")
    // A range type makes its multirange casts itself (an internal dependency).
    " AND NOT EXISTS (SELECT FROM pg_depend cd WHERE cd.classid = 'pg_cast'::regclass AND cd.objid = ca.oid "
    " AND cd.deptype = 'i')"
    " UNION ALL SELECT 'foreign data wrapper', quote_ident(w.fdwname) FROM pg_foreign_data_wrapper w WHERE "
    HECTIC_NOT_EXTENSION_MEMBER("pg_foreign_data_wrapper", "w.oid")
    " UNION ALL SELECT 'foreign server', quote_ident(fs.srvname) FROM pg_foreign_server fs"
    " UNION ALL SELECT 'access method', quote_ident(am.amname) FROM pg_am am WHERE am.oid >= 16384 AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_am", "am.oid")
    " UNION ALL SELECT 'language', quote_ident(l.lanname) FROM pg_language l WHERE l.oid >= 16384 AND "
    HECTIC_NOT_EXTENSION_MEMBER("pg_language", "l.oid")
    " LIMIT 5";

// [[grantee, privilege, grantable], ...] of every item of an acl.
#define HECTIC_ACL_ITEMS(acl)                                                                        \
  "(SELECT coalesce(json_agg(json_build_array(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE "           \
  "quote_ident(r.rolname) END, a.privilege_type, a.is_grantable)), '[]') FROM aclexplode(" acl ") a " \
  "LEFT JOIN pg_roles r ON r.oid = a.grantee)::text"

// Default privileges: role, schema (or NULL), object type letter, grants, and for a row of no
// schema the grants it replaces (acldefault; its letter for sequences is 's').
inline constexpr const char* default_privileges =
    "SELECT quote_ident(pg_get_userbyid(d.defaclrole)), quote_ident(n.nspname), d.defaclobjtype, "
    HECTIC_ACL_ITEMS("d.defaclacl") ", CASE WHEN d.defaclnamespace = 0 THEN " HECTIC_ACL_ITEMS(
        "acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's'::\"char\" ELSE d.defaclobjtype END, d.defaclrole)")
    " ELSE '[]' END "
    "FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
    "WHERE n.oid IS NULL OR " HECTIC_SCHEMA_OK("n") " ORDER BY 1, 2, 3";

} // namespace hectic::schema::sql
