package main

import "github.com/spf13/pflag"

// assumeYes is docker compose's -y/--yes of up and create: yes to every prompt.
// berth's up and create ask nothing, so it changes nothing; it is accepted so that
// scripts written for docker compose run unchanged.
func assumeYes(f *pflag.FlagSet) {
	f.BoolP("yes", "y", false, `Assume "yes" as answer to all prompts and run non-interactively`)
}
