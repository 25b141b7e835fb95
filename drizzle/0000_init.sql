CREATE TABLE "effects" (
	"execution_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"node_id" text NOT NULL,
	"kind" text NOT NULL,
	"request" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"started_at" timestamp with time zone,
	"external_id" text,
	"wake_at" timestamp with time zone,
	"deadline" timestamp with time zone,
	"assignee" text,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone,
	CONSTRAINT "effects_execution_id_step_pk" PRIMARY KEY("execution_id","step")
);
--> statement-breakpoint
CREATE TABLE "execution_steps" (
	"execution_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"node_id" text NOT NULL,
	"node_type" text NOT NULL,
	"outcome" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"changed" jsonb,
	"error" text,
	CONSTRAINT "execution_steps_execution_id_step_pk" PRIMARY KEY("execution_id","step")
);
--> statement-breakpoint
CREATE TABLE "executions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scenario_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"state" jsonb,
	"result" jsonb,
	"error" text,
	"parent_id" uuid,
	"parent_step" integer,
	"cancel_requested" text,
	"run_at" timestamp with time zone,
	"wakeups" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"started_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scenario_versions" (
	"scenario_id" text NOT NULL,
	"version" integer NOT NULL,
	"document" json NOT NULL,
	"comment" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "scenario_versions_scenario_id_version_pk" PRIMARY KEY("scenario_id","version")
);
--> statement-breakpoint
CREATE TABLE "scenarios" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"latest_version" integer NOT NULL,
	"published_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sim_calls" (
	"key" text PRIMARY KEY NOT NULL,
	"call_id" text NOT NULL,
	"kind" text NOT NULL,
	"to" text NOT NULL,
	"caller_id" text,
	"attempt" integer NOT NULL,
	"outcome" text,
	"reason" text,
	"started_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"duplicate_requests" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"display_name" text,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"operator_number" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
ALTER TABLE "effects" ADD CONSTRAINT "effects_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "execution_steps" ADD CONSTRAINT "execution_steps_execution_id_executions_id_fk" FOREIGN KEY ("execution_id") REFERENCES "public"."executions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenario_versions" ADD CONSTRAINT "scenario_versions_scenario_id_scenarios_id_fk" FOREIGN KEY ("scenario_id") REFERENCES "public"."scenarios"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenario_versions" ADD CONSTRAINT "scenario_versions_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "effects_pending_forms_idx" ON "effects" USING btree ("assignee") WHERE "effects"."kind" = 'form' and "effects"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "executions_run_at_idx" ON "executions" USING btree ("run_at") WHERE "executions"."run_at" is not null;--> statement-breakpoint
CREATE INDEX "executions_scenario_id_created_at_index" ON "executions" USING btree ("scenario_id","created_at");--> statement-breakpoint
CREATE INDEX "executions_status_created_at_index" ON "executions" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "executions_parent_id_index" ON "executions" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "sessions_user_id_index" ON "sessions" USING btree ("user_id");