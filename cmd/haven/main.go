// Command haven is Haven's one binary: the server, the demo, and the
// operator's commands (migrations, accounts, API tokens, audit checks).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/haven-oss/haven/internal/haven"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

// env is what a command reads from and writes to: the process's in main, a
// test's in main_test.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

const usage = `haven — reports of child sex trafficking and missing children, from intake to recovery.

Usage:
  haven serve    [flags]     run the server
  haven demo     [flags]     run the server on an embedded database loaded with synthetic demo data
  haven seed     [flags]     load a larger synthetic data set into a database
  haven migrate  [flags]     apply database migrations and exit
  haven user add|list|disable|enable|reset-mfa [flags]   manage staff accounts
  haven agency add|list|import|export [flags]            manage the agency directory
  haven token add [flags] USER                           issue a JSON API token for USER
  haven esp add|list|disable|enable [flags] NAME         manage ESP reporting API accounts
  haven import --format csv|jsonl [--dry-run] FILE       import reports from an older system
  haven match --format febrl [--ignore-id] FILE [FILE2]  find records of the same person (deduplicate or link)
  haven audit verify [flags]                             check the audit log's hash chain
  haven purge [--dry-run] [flags]                        run the retention purge now (or list what it would remove)
  haven backup --out FILE (--recipient KEY | --passphrase-file F)  write an encrypted backup while Haven runs
  haven restore --in FILE (--identity F | --passphrase-file F)     restore a backup into an empty database
  haven loadtest [--find-max] [flags]                    drive a running server with ESP reports and tips; report latency and memory
  haven version              print the version

Run "haven COMMAND --help" for a command's flags. Flags may also be set in the
environment: HAVEN_ADDR, HAVEN_DB, HAVEN_DATA_DIR, HAVEN_KEY_FILE.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "haven:", describe(err))
		}
		os.Exit(exitCode(err))
	}
}

// errUsage marks an error whose message (usage) was already printed.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// describe turns an error into the line an operator reads: the message of a
// domain error, the whole chain for anything else.
func describe(err error) string {
	var he *haven.Error
	if errors.As(err, &he) {
		if he.Field != "" {
			return fmt.Sprintf("%s (%s)", he.Message, he.Field)
		}
		return he.Message
	}
	return err.Error()
}

func run(ctx context.Context, e env, args []string) error {
	err := dispatch(ctx, e, args)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, e, rest)
	case "demo":
		return cmdDemo(ctx, e, rest)
	case "seed":
		return cmdSeed(ctx, e, rest)
	case "migrate":
		return cmdMigrate(ctx, e, rest)
	case "user":
		return cmdUser(ctx, e, rest)
	case "agency":
		return cmdAgency(ctx, e, rest)
	case "token":
		return cmdToken(ctx, e, rest)
	case "esp":
		return cmdEsp(ctx, e, rest)
	case "import":
		return cmdImport(ctx, e, rest)
	case "match":
		return cmdMatch(ctx, e, rest)
	case "audit":
		return cmdAudit(ctx, e, rest)
	case "purge":
		return cmdPurge(ctx, e, rest)
	case "backup":
		return cmdBackup(ctx, e, rest)
	case "restore":
		return cmdRestore(ctx, e, rest)
	case "loadtest":
		return cmdLoadtest(ctx, e, rest)
	case "version", "--version":
		fmt.Fprintf(e.stdout, "haven %s\n", Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprintf(e.stderr, "haven: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}
