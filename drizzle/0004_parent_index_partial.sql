DROP INDEX "executions_parent_id_index";--> statement-breakpoint
CREATE INDEX "executions_parent_id_index" ON "executions" USING btree ("parent_id") WHERE "executions"."parent_id" is not null;