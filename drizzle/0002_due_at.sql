-- table_out_call.due_at: when a row with status 10 is due for its callback.
-- "Call back in N minutes" (counted from date_call) wins over a date and time;
-- a date and time are read in the outbound task's time zone.
CREATE OR REPLACE FUNCTION table_out_call_due_at() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tz text;
BEGIN
  IF NEW.status IS DISTINCT FROM 10 THEN
    NEW.due_at := NULL;
  ELSIF NEW.callaftermin IS NOT NULL AND NEW.callaftermin > 0 THEN
    NEW.due_at := coalesce(NEW.date_call, now()) + make_interval(mins => NEW.callaftermin);
  ELSIF NEW.date_callback IS NOT NULL THEN
    SELECT time_zone INTO tz FROM outbound_tasks WHERE id = NEW.task_id;
    NEW.due_at := (NEW.date_callback + coalesce(NEW.time_callback, time '00:00')) AT TIME ZONE coalesce(tz, 'UTC');
  ELSE
    NEW.due_at := coalesce(NEW.date_call, now());
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER table_out_call_due_at BEFORE INSERT OR UPDATE ON table_out_call
  FOR EACH ROW EXECUTE FUNCTION table_out_call_due_at();
