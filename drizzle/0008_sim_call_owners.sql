CREATE TABLE "sim_owners" (
	"id" text PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sim_calls" ADD COLUMN "lost" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sim_calls" ADD COLUMN "owner" text;--> statement-breakpoint
CREATE INDEX "sim_calls_owner_idx" ON "sim_calls" USING btree ("owner") WHERE "sim_calls"."owner" is not null;