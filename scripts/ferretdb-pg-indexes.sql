-- Companion GIN indexes for FerretDB 1.x on PostgreSQL (README "FerretDB on PostgreSQL").
--
-- FerretDB 1.24 renders every pushed-down equality, `_id` included, as `_jsonb -> 'field' @> value` (containment),
-- while the indexes it creates are btree indexes on `(_jsonb -> 'field')`, which answer `=` but not `@>`: so even
-- `find({_id: "x"})` is a sequential scan that decompresses every stored document. A GIN index (jsonb_path_ops)
-- on the same expressions answers `@>`. This script gives every FerretDB index such a companion: the ones that
-- exist now, and (through an event trigger) every one FerretDB creates later. FerretDB never sees these indexes
-- (its catalog lists only its own), dropping a collection drops them with its table, and uniqueness stays with
-- FerretDB's btree indexes.
--
-- Run it once per FerretDB database, as a superuser (event triggers need one), e.g.
--   psql "postgres://postgres@host:5432/ferretdb" -f scripts/ferretdb-pg-indexes.sql
-- and let that database plan every statement with its parameters (FerretDB passes the field name as a parameter,
-- which a cached generic plan cannot match to an index):
--   ALTER DATABASE ferretdb SET plan_cache_mode = force_custom_plan;
-- (then restart FerretDB, so that its connections pick the setting up). Running it again changes nothing.

-- Creates the companion of one btree index unless it exists; ignores indexes that are not FerretDB's.
CREATE OR REPLACE FUNCTION griot_gin_companion_of(index_oid oid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  idx record;
  exprs text;
  companion text;
BEGIN
  SELECT c.relname AS idxname, n.nspname, t.relname AS tblname, am.amname, i.indnatts
    INTO idx
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    JOIN pg_am am ON am.oid = c.relam
   WHERE i.indexrelid = index_oid;
  IF NOT FOUND OR idx.amname <> 'btree' OR idx.tblname LIKE '\_ferretdb\_%' OR idx.nspname IN ('pg_catalog', 'information_schema') THEN
    RETURN;
  END IF;
  -- Every key column must be an expression on FerretDB's document column (`(_jsonb -> 'a')`, `(_jsonb -> 'a' -> 'b')`).
  SELECT string_agg(format('(%s) jsonb_path_ops', def), ', ' ORDER BY k)
    INTO exprs
    FROM (SELECT k, pg_get_indexdef(index_oid, k, true) AS def FROM generate_series(1, idx.indnatts) AS k) AS cols
  HAVING bool_and(def LIKE '(_jsonb -> %');
  IF exprs IS NULL THEN
    RETURN;
  END IF;
  companion := left(idx.idxname, 59) || '_gin';
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin (%s)', companion, idx.nspname, idx.tblname, exprs);
END $$;

CREATE OR REPLACE FUNCTION griot_gin_companions() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' AND object_type = 'index' LOOP
    PERFORM griot_gin_companion_of(cmd.objid);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS griot_gin_companions;
CREATE EVENT TRIGGER griot_gin_companions ON ddl_command_end WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION griot_gin_companions();

-- The indexes that exist already.
DO $$
BEGIN
  PERFORM griot_gin_companion_of(i.indexrelid)
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
    WHERE am.amname = 'btree';
END $$;
