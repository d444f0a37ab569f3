// pg-delta's own Supabase policy, extended so that what a project adds to Supabase's schemas
// stays in the diff: pg-delta keeps triggers on auth.users already, and this keeps RLS policies
// on storage.objects, realtime.messages and auth's tables. Run as
// `node supabase_profile.mjs <pg-delta's dist/index.js> '["public.agents"]'`: the tables named
// (what the migrations use but never create: toolkit's stand-ins) are left out with everything
// on them, as Supabase's own are. Prints the profile (JSON).
import { pathToFileURL } from "node:url";

const { supabasePolicy } = await import(pathToFileURL(process.argv[2]).href);
const schemas = ["auth", "storage", "realtime"];
const preconditions = JSON.parse(process.argv[3] ?? "[]").map((qualified) => {
  const dot = qualified.indexOf(".");
  const rule = [{ kind: "table" }, { schema: qualified.slice(0, dot) },
    { name: qualified.slice(dot + 1) }];
  return { match: { all: rule }, action: "exclude" };
});
const profile = {
  id: "toolkit-supabase",
  handlers: ["pg_partman", "pg_cron"],
  policy: {
    id: "toolkit-supabase",
    filter: [
      ...preconditions,
      { match: { all: [{ kind: "policy" }, { schema: schemas }] }, action: "include" },
    ],
    extends: [supabasePolicy],
  },
};
process.stdout.write(JSON.stringify(profile));
