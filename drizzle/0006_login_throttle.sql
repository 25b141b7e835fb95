CREATE TABLE "login_buckets" (
	"key" text PRIMARY KEY NOT NULL,
	"level" double precision NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_delays" (
	"username" text NOT NULL,
	"address" text NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	CONSTRAINT "login_delays_username_address_pk" PRIMARY KEY("username","address")
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "last_seen_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "login_buckets_updated_at_index" ON "login_buckets" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "login_delays_last_failure_at_index" ON "login_delays" USING btree ("last_failure_at");--> statement-breakpoint
DROP TABLE "login_failures" CASCADE;