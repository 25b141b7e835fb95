CREATE TABLE "queue_entries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue_id" text NOT NULL,
	"customer" text NOT NULL,
	"name" text,
	"extra" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"priority" integer,
	"execution_id" uuid,
	"step" integer,
	"callback_number" text,
	"state" text NOT NULL,
	"enqueued_at" timestamp with time zone NOT NULL,
	"agent_id" uuid,
	"assigned_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "queue_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"queue_id" text,
	"entry_id" bigint,
	"agent_id" uuid,
	"kind" text NOT NULL,
	"reason" text,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "queue_members" (
	"queue_id" text NOT NULL,
	"user_id" uuid NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"since" timestamp with time zone NOT NULL,
	CONSTRAINT "queue_members_queue_id_user_id_pk" PRIMARY KEY("queue_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "queue_offers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entry_id" bigint NOT NULL,
	"agent_id" uuid NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"mode" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "queues" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"offer_timeout_sec" integer DEFAULT 20 NOT NULL,
	"max_wait_sec" integer,
	"wrap_up_sec" integer DEFAULT 0 NOT NULL,
	"service_level_sec" integer DEFAULT 20 NOT NULL,
	"short_abandon_sec" integer DEFAULT 5 NOT NULL,
	"reoffer_delay_sec" integer DEFAULT 30 NOT NULL,
	"consecutive_timeouts_to_dnd" integer DEFAULT 3 NOT NULL,
	"overflow_queue_id" text,
	"aht_ms" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "queue_entries" ADD CONSTRAINT "queue_entries_queue_id_queues_id_fk" FOREIGN KEY ("queue_id") REFERENCES "public"."queues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_members" ADD CONSTRAINT "queue_members_queue_id_queues_id_fk" FOREIGN KEY ("queue_id") REFERENCES "public"."queues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_members" ADD CONSTRAINT "queue_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "queue_offers" ADD CONSTRAINT "queue_offers_entry_id_queue_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."queue_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "queue_entries_one_queue_idx" ON "queue_entries" USING btree ("customer") WHERE "queue_entries"."state" in ('waiting', 'offered', 'assigned');--> statement-breakpoint
CREATE INDEX "queue_entries_waiting_idx" ON "queue_entries" USING btree ("queue_id","enqueued_at") WHERE "queue_entries"."state" in ('waiting', 'offered');--> statement-breakpoint
CREATE INDEX "queue_entries_assigned_idx" ON "queue_entries" USING btree ("agent_id") WHERE "queue_entries"."state" = 'assigned';--> statement-breakpoint
CREATE INDEX "queue_entries_execution_idx" ON "queue_entries" USING btree ("execution_id") WHERE "queue_entries"."execution_id" is not null;--> statement-breakpoint
CREATE INDEX "queue_events_queue_id_at_index" ON "queue_events" USING btree ("queue_id","at");--> statement-breakpoint
CREATE INDEX "queue_events_entry_id_index" ON "queue_events" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "queue_members_user_id_index" ON "queue_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "queue_offers_agent_pending_idx" ON "queue_offers" USING btree ("agent_id") WHERE "queue_offers"."state" = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "queue_offers_entry_pending_idx" ON "queue_offers" USING btree ("entry_id") WHERE "queue_offers"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "queue_offers_expiry_idx" ON "queue_offers" USING btree ("expires_at") WHERE "queue_offers"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "queue_offers_agent_id_decided_at_index" ON "queue_offers" USING btree ("agent_id","decided_at");--> statement-breakpoint
CREATE INDEX "queue_offers_entry_id_index" ON "queue_offers" USING btree ("entry_id");--> statement-breakpoint
-- A scenario's caller waits in a queue through its execution: when that
-- execution ends, its entry ends with it, in the same statement (every way an
-- execution ends, every process). Still waiting or offered: the customer
-- left (a pending offer is cancelled, the agent is told by the dispatcher,
-- which the NOTIFY wakes). Assigned: served, and the agent goes into the
-- queue's wrap-up.
CREATE OR REPLACE FUNCTION tellflow_queue_execution_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  e record;
  at timestamptz := coalesce(NEW.ended_at, now());
BEGIN
  FOR e IN SELECT * FROM queue_entries WHERE execution_id = NEW.id AND state IN ('waiting', 'offered', 'assigned') FOR UPDATE LOOP
    IF e.state = 'assigned' THEN
      UPDATE queue_entries SET state = 'served', ended_at = at WHERE id = e.id;
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, e.agent_id, 'served', 'the execution ended');
      UPDATE agent_presence p SET wrap_until = at + make_interval(secs => q.wrap_up_sec)
        FROM queues q WHERE q.id = e.queue_id AND q.wrap_up_sec > 0 AND p.user_id = e.agent_id;
    ELSE
      UPDATE queue_offers SET state = 'cancelled', reason = 'the customer left', decided_at = at WHERE entry_id = e.id AND state = 'pending';
      UPDATE queue_entries SET state = 'left', ended_at = at, reason = format('execution %s %s', NEW.id, NEW.status) WHERE id = e.id;
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, NULL, 'abandoned', format('execution %s %s', NEW.id, NEW.status));
    END IF;
    PERFORM pg_notify('tellflow_queue', e.queue_id);
  END LOOP;
  RETURN NULL;
END
$$;--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION tellflow_queue_execution_ended() FROM PUBLIC;--> statement-breakpoint
CREATE TRIGGER executions_queue_ended AFTER UPDATE OF status ON executions
  FOR EACH ROW WHEN (NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IN ('running', 'waiting'))
  EXECUTE FUNCTION tellflow_queue_execution_ended();
