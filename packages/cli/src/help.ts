/** `keyward --help`: the commands and the global options. */
export const GLOBAL_HELP = `Usage: keyward [global options] <command> [options]

Manage the API keys of a Keyward store (PostgreSQL, embedded PostgreSQL or Redis).

Commands:
  migrate                     create or update the PostgreSQL schema (Redis needs none)
  keys create                 create a key; prints it once
  keys list                   list the keys of a workspace or an owner
  keys show <id>              show one key
  keys rename <id>            rename a key
  keys revoke <id>            revoke a key at once
  keys rotate <id>            replace a key; prints the new one once (needs --config)
  keys import                 import keys whose hashes come from another system
  audit                       read the audit log of a workspace
  usage                       requests per day of a key or a workspace
  scan <path>… | -            find live keys in files or stdin (exit 5 when one is found)
  export                      write the whole store (hashes, never keys) as JSON lines on stdout
  import                      write an export into a store (idempotent; refuses conflicts)

Global options:
  KEYWARD_STORE_URL           (environment) postgres://…, redis://… or embedded:DIR: the store
  --store URL                 the same as an option; a password in it is visible to every local
                              user in the process list: prefer KEYWARD_STORE_URL
  --config MODULE             a module exporting \`keyward\`: your app's engine, or the options it
                              is built with ({ format, hash }); keys are then made exactly as
                              your app makes them
  --channel NAME              the invalidation channel your app's instances listen on (default
                              keyward_invalidation on PostgreSQL, keyward:invalidate on Redis):
                              changes are published there, so instances drop a revoked key at once
  --schema NAME               PostgreSQL schema (default public)
  --table-prefix P            PostgreSQL table prefix (default keyward_)
  --redis-prefix P            Redis key prefix (default keyward:)
  --json                      machine-readable output on stdout
  -h, --help                  help for any command

Exit codes: 0 done, 1 failed, 2 bad usage, 3 not found, 4 store unreachable, 5 a live key found (scan).
`;
