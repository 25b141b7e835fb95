CREATE TABLE "call_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" text,
	"subscriber_id" integer,
	"execution_id" uuid NOT NULL,
	"step" integer NOT NULL,
	"kind" text NOT NULL,
	"operator" text,
	"number" text NOT NULL,
	"call_id" text,
	"started_at" timestamp with time zone NOT NULL,
	"outcome" text,
	"answered_at" timestamp with time zone,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "outbound_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"dialog_scenario_id" text NOT NULL,
	"routing_scenario_id" text NOT NULL,
	"operator_call_scenario_id" text NOT NULL,
	"attach_calls" boolean DEFAULT true NOT NULL,
	"after_disconnect" text DEFAULT 'finish' NOT NULL,
	"operators" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"hours" jsonb NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"state" text DEFAULT 'stopped' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_task_runs" (
	"task_id" text NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"execution_id" uuid,
	"outcome" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_task_runs_task_id_scheduled_for_pk" PRIMARY KEY("task_id","scheduled_for")
);
--> statement-breakpoint
CREATE TABLE "service_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"scenario_id" text NOT NULL,
	"schedule" text NOT NULL,
	"time_zone" text DEFAULT 'UTC' NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"overlap" text DEFAULT 'skip' NOT NULL,
	"missed" text DEFAULT 'skip' NOT NULL,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"last_period" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "table_out_call" (
	"Id" serial PRIMARY KEY NOT NULL,
	"tel" text NOT NULL,
	"first_name" text,
	"last_name" text,
	"order_id" text,
	"owner_id" text,
	"comments" text,
	"callaftermin" integer,
	"date_callback" date,
	"time_callback" time,
	"operator_number" text,
	"status" integer,
	"date_call" timestamp with time zone,
	"task_id" text,
	"due_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "task_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "subscriber_id" integer;--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "operator" text;--> statement-breakpoint
ALTER TABLE "service_task_runs" ADD CONSTRAINT "service_task_runs_task_id_service_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."service_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "call_history_execution_id_step_index" ON "call_history" USING btree ("execution_id","step");--> statement-breakpoint
CREATE INDEX "call_history_task_id_subscriber_id_started_at_index" ON "call_history" USING btree ("task_id","subscriber_id","started_at");--> statement-breakpoint
CREATE INDEX "table_out_call_due_idx" ON "table_out_call" USING btree ("due_at") WHERE "table_out_call"."status" = 10;--> statement-breakpoint
CREATE INDEX "table_out_call_new_idx" ON "table_out_call" USING btree ("task_id","Id") WHERE "table_out_call"."status" is null;--> statement-breakpoint
CREATE INDEX "executions_busy_operator_idx" ON "executions" USING btree ("operator") WHERE "executions"."operator" is not null and "executions"."status" in ('running', 'waiting');