-- Scenario SQL (sql nodes, setStatus, runScenario's forEachRow) runs as the
-- role tellflow_scenario, switched to inside the step's transaction: rights
-- on the business tables only, none on Tellflow's own, no files, no programs,
-- no DO blocks, no objects of its own. See docs/security.md.
-- Roles belong to the whole cluster and several databases may migrate at
-- once: whoever creates it second finds it there (or collides on the
-- catalog's unique index) and goes on.
DO $$
BEGIN
  CREATE ROLE tellflow_scenario NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
-- The server switches to the role with set_config('role', …): it must be a
-- member (a superuser always is; a non-superuser server needs the grant, see
-- docs/security.md for who can give it).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'tellflow_scenario', 'MEMBER') THEN
    EXECUTE format('GRANT tellflow_scenario TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
-- No objects of its own: no tables or functions in public, no temporary
-- tables (PUBLIC's default TEMP right on the database goes; Tellflow uses none).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
--> statement-breakpoint
-- The business tables: the subscribers (read and written by the bundled
-- scenarios) and the call history (read by the dialog). An admin grants
-- others the same way (docs/security.md).
GRANT SELECT, INSERT, UPDATE, DELETE ON "table_out_call" TO tellflow_scenario;
--> statement-breakpoint
GRANT USAGE, SELECT ON SEQUENCE "table_out_call_Id_seq" TO tellflow_scenario;
--> statement-breakpoint
GRANT SELECT ON "call_history" TO tellflow_scenario;
--> statement-breakpoint
-- The due_at trigger reads outbound_tasks, which the role may not: it runs
-- as its owner, with a search_path nobody can change under it.
ALTER FUNCTION table_out_call_due_at() SECURITY DEFINER SET search_path = pg_catalog, public;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION table_out_call_due_at() FROM PUBLIC;
--> statement-breakpoint
-- What PUBLIC may do by default and a sandbox must not: DO blocks (plpgsql's
-- USAGE) and the built-in functions that run SQL text of their own, in which
-- a query could leave the role. Only a superuser (the owner of both) can take
-- these from PUBLIC; a server that migrates as a non-superuser has the admin
-- run the same (docs/security.md).
DO $$
DECLARE
  f regprocedure;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE NOTICE 'tellflow: not a superuser, so plpgsql and the SQL-running functions stay open to PUBLIC: see docs/security.md';
    RETURN;
  END IF;
  REVOKE USAGE ON LANGUAGE plpgsql FROM PUBLIC;
  FOR f IN
    SELECT p.oid::regprocedure FROM pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace
      AND p.proname IN ('query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema',
        'table_to_xml', 'table_to_xmlschema', 'table_to_xml_and_xmlschema', 'schema_to_xml', 'schema_to_xmlschema',
        'schema_to_xml_and_xmlschema', 'database_to_xml', 'database_to_xmlschema', 'database_to_xml_and_xmlschema', 'ts_stat', 'ts_rewrite')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
