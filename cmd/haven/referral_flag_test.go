package main

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

// --referral-escalate-after (or HAVEN_REFERRAL_ESCALATE_AFTER) sets how long
// a referral may wait for the agency's acknowledgement: 4 hours unless set;
// the flag wins over the environment; a value that is not a duration from
// one minute to 30 days is refused naming the flag.
func TestReferralEscalateAfterFlagAndEnvironment(t *testing.T) {
	parse := func(env map[string]string, args ...string) (serverFlags, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var sv serverFlags
		sv.register(fs, env2(env), ":8080")
		if err := fs.Parse(args); err != nil {
			return sv, err
		}
		return sv, sv.validate()
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want time.Duration
	}{
		{nil, nil, 4 * time.Hour},
		{nil, []string{"--referral-escalate-after", "90m"}, 90 * time.Minute},
		{map[string]string{"HAVEN_REFERRAL_ESCALATE_AFTER": "2h"}, nil, 2 * time.Hour},
		{map[string]string{"HAVEN_REFERRAL_ESCALATE_AFTER": "2h"}, []string{"--referral-escalate-after", "30m"}, 30 * time.Minute},
	} {
		sv, err := parse(tc.env, tc.args...)
		if err != nil || sv.referralEscalateAfter != tc.want {
			t.Errorf("%v %v: %s (%v), want %s", tc.env, tc.args, sv.referralEscalateAfter, err, tc.want)
		}
	}
	for _, bad := range []string{"four hours", "0s", "30s", "800h"} {
		if _, err := parse(nil, "--referral-escalate-after", bad); err == nil || !strings.Contains(describe(err), "--referral-escalate-after") {
			t.Errorf("--referral-escalate-after %q: %v, want an error naming the flag", bad, err)
		}
	}
}
