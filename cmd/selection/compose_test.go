package main

import (
	"net"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// TestComposeSetsEverySetting parses docker-compose.yml and checks that each of our
// services sets every environment variable its subcommand reads (the settings table),
// so a production deploy never runs on a development default.
func TestComposeSetsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../docker-compose.yml")
	require.NoError(t, err)
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck *struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	require.NoError(t, yaml.Unmarshal(b, &compose))
	ours := 0
	for name, svc := range compose.Services {
		if svc.Build == nil {
			require.NotEmpty(t, svc.Image, "%s: an image or a build", name)
			require.NotContains(t, svc.Image, ":latest", "%s: pin the image version", name)
			require.Contains(t, svc.Image, ":", "%s: pin the image version", name)
			continue
		}
		ours++
		require.NotEmpty(t, svc.Command, "%s: which subcommand", name)
		cmd := svc.Command[0]
		if cmd == "api" {
			// The binary listens on loopback by default; in a container that is
			// unreachable through the published port.
			host, _, err := net.SplitHostPort(svc.Environment["HTTP_ADDR"])
			require.NoError(t, err, "service %s: HTTP_ADDR", name)
			require.Contains(t, []string{"", "0.0.0.0", "::"}, host, "service %s must listen on every interface of its container", name)
		}
		for _, s := range settings {
			if slices.Contains(s.Commands, cmd) {
				require.NotEmpty(t, svc.Environment[s.Name], "service %s (selection %s) reads %s", name, cmd, s.Name)
			}
		}
		if svc.Healthcheck != nil {
			hc := strings.Join(svc.Healthcheck.Test, " ")
			if strings.Contains(hc, "selection healthcheck") {
				for _, s := range settings {
					if slices.Contains(s.Commands, "healthcheck") {
						require.NotEmpty(t, svc.Environment[s.Name], "service %s healthcheck reads %s", name, s.Name)
					}
				}
			}
		}
	}
	require.Equal(t, 3, ours, "migrate, worker and api are built from the Dockerfile")
}

// TestReadmeDocumentsEverySetting keeps the README's configuration table in step with
// the settings the binary reads.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, s := range settings {
		require.Contains(t, string(b), "`"+s.Name+"`", "README.md documents %s", s.Name)
	}
}
