ALTER TABLE "outbound_tasks" ADD COLUMN "duplicate_phones" text DEFAULT 'reject' NOT NULL;--> statement-breakpoint
ALTER TABLE "table_out_call" ADD COLUMN "external_key" text;--> statement-breakpoint
ALTER TABLE "table_out_call" ADD COLUMN "import_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "table_out_call_external_key_idx" ON "table_out_call" USING btree ("task_id","external_key");--> statement-breakpoint
CREATE INDEX "table_out_call_task_tel_idx" ON "table_out_call" USING btree ("task_id","tel");--> statement-breakpoint
-- Rows imported before keys existed get the key an import derives for a file without a key column
-- (the n-th row with that number, in the order they were added), so importing that file again matches them.
-- The due_at trigger stays out of it: it would count "call back in N minutes" from now again.
ALTER TABLE "table_out_call" DISABLE TRIGGER "table_out_call_due_at";--> statement-breakpoint
UPDATE "table_out_call" c SET "external_key" = k.key
  FROM (SELECT "Id", 'tel:' || tel || '#' || row_number() OVER (PARTITION BY task_id, tel ORDER BY "Id") AS key FROM "table_out_call") k
  WHERE c."Id" = k."Id";--> statement-breakpoint
ALTER TABLE "table_out_call" ENABLE TRIGGER "table_out_call_due_at";
