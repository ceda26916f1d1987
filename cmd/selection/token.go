package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
)

// runToken mints a JWT for a role and region (API.md): how a new user gets credentials
// for curl and the console in development.
func runToken(_ context.Context, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	role := fs.String("role", "", "county, prefecture, reviewer or admin")
	region := fs.String("region", "", "county code, prefecture code, or the province code of any province (PROVINCE's by default)")
	sub := fs.String("sub", "", "who the token names (default: role-region)")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := domain.Role(*role)
	if !r.Valid() {
		return fmt.Errorf("--role must be county, prefecture, reviewer or admin, got %q", *role)
	}
	// The region's code names its province (GB/T 2260), so one deployment mints tokens
	// for the officials of every province it serves; PROVINCE is the fallback.
	province := env("PROVINCE")
	if p := domain.ProvinceCode(*region); p != "" {
		if _, ok := domain.ProvinceOf(p); ok {
			province = p
		}
	}
	divs, err := domain.Current(province)
	if err != nil {
		return fmt.Errorf("PROVINCE: %v", err)
	}
	if err := domain.ValidateActor(domain.Actor{Role: r, Region: *region}, divs, province); err != nil {
		return fmt.Errorf("--region: %v", err.(*domain.RuleError).Message)
	}
	if *ttl <= 0 {
		return fmt.Errorf("--ttl must be positive")
	}
	if *sub == "" {
		*sub = *role + "-" + *region
	}
	secret := env("JWT_SECRET")
	if secret == "" {
		secret = devJWTSecret
		fmt.Fprintln(os.Stderr, "selection token: JWT_SECRET is unset; signing with the development secret that `selection run` uses")
	}
	tok, err := api.MintToken([]byte(secret), r, *region, *sub, *ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}
