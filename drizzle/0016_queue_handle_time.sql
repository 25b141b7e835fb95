-- Serving a queue customer, in one place for every path: the trigger when a
-- scenario's execution ends, and the API (serveEntry in
-- packages/runtime/src/queues/serve.ts) for customers without one.
--
-- The entry becomes `served`; its handle time (assigned → served, plus the
-- queue's wrap-up time: talk + hold + after-call work) goes into the
-- `served` event and into the queue's smoothed handle time `aht_ms` as
-- Asterisk smooths its hold time: new = (3 × old + sample) / 4, the first
-- sample as it is. The agent goes into wrap-up. Nothing happens to an entry
-- that is not assigned (no rows back).
CREATE OR REPLACE FUNCTION tellflow_queue_serve(served_entry bigint, served_at timestamptz, why text)
RETURNS TABLE (served_queue_id text, served_agent_id uuid, handle_ms double precision)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  e record;
  served_ms double precision;
  wrap_sec integer;
BEGIN
  UPDATE queue_entries SET state = 'served', ended_at = served_at WHERE id = served_entry AND state = 'assigned' RETURNING * INTO e;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- Clocks of two processes may disagree a little: never a negative time.
  served_ms := greatest(round(extract(epoch from served_at - e.assigned_at) * 1000), 0);
  UPDATE queues q SET aht_ms = CASE WHEN q.aht_ms IS NULL THEN served_ms + q.wrap_up_sec * 1000
                                    ELSE (3 * q.aht_ms + served_ms + q.wrap_up_sec * 1000) / 4 END
    WHERE q.id = e.queue_id RETURNING q.wrap_up_sec INTO wrap_sec;
  INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason, data)
    VALUES (served_at, e.queue_id, e.id, e.agent_id, 'served', why,
            jsonb_build_object('servedMs', served_ms, 'wrapUpMs', wrap_sec * 1000, 'handleMs', served_ms + wrap_sec * 1000));
  IF wrap_sec > 0 THEN
    UPDATE agent_presence p SET wrap_until = served_at + make_interval(secs => wrap_sec) WHERE p.user_id = e.agent_id;
  END IF;
  PERFORM pg_notify('tellflow_queue', e.queue_id);
  served_queue_id := e.queue_id;
  served_agent_id := e.agent_id;
  handle_ms := served_ms + wrap_sec * 1000;
  RETURN NEXT;
END
$$;--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION tellflow_queue_serve(bigint, timestamptz, text) FROM PUBLIC;--> statement-breakpoint
-- As in 0013, but an assigned entry is served through tellflow_queue_serve,
-- and a cancelled offer is logged.
CREATE OR REPLACE FUNCTION tellflow_queue_execution_ended() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  e record;
  at timestamptz := coalesce(NEW.ended_at, now());
BEGIN
  FOR e IN SELECT * FROM queue_entries WHERE execution_id = NEW.id AND state IN ('waiting', 'offered', 'assigned') FOR UPDATE LOOP
    IF e.state = 'assigned' THEN
      PERFORM tellflow_queue_serve(e.id, at, 'the execution ended');
    ELSE
      -- The cancelled offer is logged too (0013 did not), so the statistics count it.
      WITH c AS (
        UPDATE queue_offers SET state = 'cancelled', reason = 'the customer left', decided_at = at WHERE entry_id = e.id AND state = 'pending' RETURNING agent_id
      )
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) SELECT at, e.queue_id, e.id, c.agent_id, 'cancelled', 'the customer left' FROM c;
      UPDATE queue_entries SET state = 'left', ended_at = at, reason = format('execution %s %s', NEW.id, NEW.status) WHERE id = e.id;
      INSERT INTO queue_events (at, queue_id, entry_id, agent_id, kind, reason) VALUES (at, e.queue_id, e.id, NULL, 'abandoned', format('execution %s %s', NEW.id, NEW.status));
      PERFORM pg_notify('tellflow_queue', e.queue_id);
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
