CREATE INDEX "queue_entries_next_idx" ON "queue_entries" USING btree ("queue_id","enqueued_at","id") WHERE "queue_entries"."state" = 'waiting' and "queue_entries"."priority" is null;--> statement-breakpoint
CREATE INDEX "queue_entries_next_own_priority_idx" ON "queue_entries" USING btree ("queue_id","priority" DESC NULLS LAST,"enqueued_at","id") WHERE "queue_entries"."state" = 'waiting' and "queue_entries"."priority" is not null;--> statement-breakpoint
CREATE INDEX "queue_entries_agent_ended_idx" ON "queue_entries" USING btree ("agent_id","ended_at") WHERE "queue_entries"."agent_id" is not null;--> statement-breakpoint
-- The execution-ended trigger (0013) as before, and the offer it cancels when the customer leaves gets its own
-- `cancelled` row in the log, as every other cancellation does (the concurrency test pairs offers with events).
CREATE OR REPLACE FUNCTION tellflow_queue_execution_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  e record;
  o record;
  at timestamptz := coalesce(NEW.ended_at, now());
BEGIN
  FOR e IN SELECT * FROM queue_entries WHERE execution_id = NEW.id AND state IN ('waiting', 'offered', 'assigned') FOR UPDATE LOOP
    IF e.state = 'assigned' THEN
      UPDATE queue_entries SET state = 'served', ended_at = at WHERE id = e.id;
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, e.agent_id, 'served', 'the execution ended');
      UPDATE agent_presence p SET wrap_until = at + make_interval(secs => q.wrap_up_sec)
        FROM queues q WHERE q.id = e.queue_id AND q.wrap_up_sec > 0 AND p.user_id = e.agent_id;
    ELSE
      FOR o IN UPDATE queue_offers SET state = 'cancelled', reason = 'the customer left', decided_at = at WHERE entry_id = e.id AND state = 'pending'
        RETURNING agent_id LOOP
        INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, o.agent_id, 'cancelled', 'the customer left');
      END LOOP;
      UPDATE queue_entries SET state = 'left', ended_at = at, reason = format('execution %s %s', NEW.id, NEW.status) WHERE id = e.id;
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, NULL, 'abandoned', format('execution %s %s', NEW.id, NEW.status));
    END IF;
    PERFORM pg_notify('tellflow_queue', e.queue_id);
  END LOOP;
  RETURN NULL;
END
$$;
