ALTER TABLE "executions" ADD COLUMN "scheduled_by" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "idle" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "executions_idle_idx" ON "executions" USING btree ("ended_at") WHERE "executions"."idle";