CREATE TABLE "queue_live_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue_id" text NOT NULL,
	"offer_id" bigint,
	"agent_id" uuid,
	"reason" text
);
--> statement-breakpoint
-- As in 0016, and each entry the execution's end takes with it is recorded in
-- queue_live_outbox (with the offer it cancelled, if any), so the next
-- dispatcher round publishes its live events: the queue's status, the
-- positions behind it, and the agent told its offer went.
CREATE OR REPLACE FUNCTION tellflow_queue_execution_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  e record;
  at timestamptz := coalesce(NEW.ended_at, now());
BEGIN
  FOR e IN SELECT * FROM queue_entries WHERE execution_id = NEW.id AND state IN ('waiting', 'offered', 'assigned') FOR UPDATE LOOP
    IF e.state = 'assigned' THEN
      PERFORM tellflow_queue_serve(e.id, at, 'the execution ended');
      INSERT INTO queue_live_outbox (queue_id) VALUES (e.queue_id);
    ELSE
      WITH c AS (
        UPDATE queue_offers SET state = 'cancelled', reason = 'the customer left', decided_at = at WHERE entry_id = e.id AND state = 'pending'
        RETURNING id, agent_id
      ), logged AS (
        INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) SELECT at, e.queue_id, e.id, c.agent_id, 'cancelled', 'the customer left' FROM c
      )
      INSERT INTO queue_live_outbox (queue_id, offer_id, agent_id, reason)
        SELECT e.queue_id, c.id, c.agent_id, 'the customer left' FROM c
        UNION ALL SELECT e.queue_id, NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM c);
      UPDATE queue_entries SET state = 'left', ended_at = at, reason = format('execution %s %s', NEW.id, NEW.status) WHERE id = e.id;
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, NULL, 'abandoned', format('execution %s %s', NEW.id, NEW.status));
      PERFORM pg_notify('tellflow_queue', e.queue_id);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
