ALTER TABLE "executions" ADD COLUMN "retry_of" uuid;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "retry_from" jsonb;