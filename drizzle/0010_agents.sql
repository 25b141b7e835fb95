CREATE TABLE "agent_extensions" (
	"extension" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_holds" (
	"extension" text PRIMARY KEY NOT NULL,
	"execution_id" uuid NOT NULL,
	"since" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_presence" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"reason" text,
	"wrap_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "sim_calls" ADD COLUMN "hangup_requested" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "table_out_call" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "agent_extensions" ADD CONSTRAINT "agent_extensions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_presence" ADD CONSTRAINT "agent_presence_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "agent_extensions_user_id_index" ON "agent_extensions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "executions_live_subscriber_idx" ON "executions" USING btree ("subscriber_id") WHERE "executions"."subscriber_id" is not null and "executions"."status" in ('running', 'waiting');--> statement-breakpoint
-- Each user's operator number becomes its first extension.
INSERT INTO "agent_extensions" ("extension", "user_id") SELECT "operator_number", "id" FROM "users" WHERE "operator_number" IS NOT NULL ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "operator_number";--> statement-breakpoint
-- The outbound tasks that may call at a moment: running, and inside their
-- calling hours in their time zone (the same rule as runtime outbound/hours.ts,
-- which a test compares). Scenario SQL (the callback monitor) may call it
-- without reading outbound_tasks: it runs as its owner.
CREATE OR REPLACE FUNCTION tellflow_calling_tasks("at" timestamptz) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT t.id FROM outbound_tasks t,
    LATERAL (SELECT "at" AT TIME ZONE t.time_zone AS l) lt,
    LATERAL (SELECT extract(isodow FROM lt.l)::int AS dow,
                    (extract(hour FROM lt.l) * 60 + extract(minute FROM lt.l))::int AS m,
                    split_part(t.hours->>'from', ':', 1)::int * 60 + split_part(t.hours->>'from', ':', 2)::int AS f,
                    split_part(t.hours->>'to', ':', 1)::int * 60 + split_part(t.hours->>'to', ':', 2)::int AS e) x
  WHERE t.state = 'running' AND CASE
    WHEN x.f = x.e THEN t.hours->'days' @> to_jsonb(x.dow)
    WHEN x.f < x.e THEN t.hours->'days' @> to_jsonb(x.dow) AND x.m >= x.f AND x.m < x.e
    WHEN x.m >= x.f THEN t.hours->'days' @> to_jsonb(x.dow)
    -- After midnight: the window opened the previous day.
    ELSE x.m < x.e AND t.hours->'days' @> to_jsonb(CASE WHEN x.dow = 1 THEN 7 ELSE x.dow - 1 END)
  END
$$;--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION tellflow_calling_tasks(timestamptz) FROM PUBLIC;--> statement-breakpoint
GRANT EXECUTE ON FUNCTION tellflow_calling_tasks(timestamptz) TO tellflow_scenario;--> statement-breakpoint
-- Nothing stuck at 11: when the last live execution serving a subscriber
-- ends (completed, failed or cancelled) and left the row at 11 (being
-- served), the row goes back to 10, due in 5 minutes (the bundled scenarios'
-- retry period), with the reason. A trigger, so every way an execution ends
-- (a step, a cancel, a parent's end) and every process does it in the same
-- statement. Runs as its owner: scenario SQL never ends executions, but the
-- server may switch roles.
CREATE OR REPLACE FUNCTION tellflow_release_subscriber() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  -- Two executions of one subscriber ending at once (a parent and its child in two
  -- processes) would each see the other live: the row's lock orders them, and the
  -- second's check below (a new statement, a new snapshot) sees the first ended.
  PERFORM 1 FROM table_out_call WHERE "Id" = NEW.subscriber_id AND status = 11 FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  UPDATE table_out_call SET status = 10, callaftermin = 5, date_callback = NULL, time_callback = NULL,
    date_call = coalesce(NEW.ended_at, now()),
    status_reason = format('execution %s of "%s" %s without setting a status', NEW.id, NEW.scenario_id, NEW.status)
  WHERE "Id" = NEW.subscriber_id AND status = 11
    AND NOT EXISTS (SELECT 1 FROM executions x WHERE x.subscriber_id = NEW.subscriber_id AND x.id <> NEW.id AND x.status IN ('running', 'waiting'));
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION tellflow_release_subscriber() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER executions_release_subscriber AFTER UPDATE OF status ON executions
  FOR EACH ROW WHEN (NEW.subscriber_id IS NOT NULL AND NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IN ('running', 'waiting'))
  EXECUTE FUNCTION tellflow_release_subscriber();
