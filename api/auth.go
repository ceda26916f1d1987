package api

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
)

// Claims are the claims of API.md: sub (the person), role, region and a required exp.
type Claims struct {
	Role   domain.Role `json:"role"`
	Region string      `json:"region"`
	jwt.RegisteredClaims
}

// actorKey is where authenticate leaves the caller's domain.Actor in the echo context.
const actorKey = "selection.actor"

// signingMethod is the only algorithm accepted: the secret is shared, so an
// asymmetric or "none" token must never be taken for one of ours.
var signingMethod = jwt.SigningMethodHS256

// MintToken signs a token for the `selection token` command and for tests, with the
// same claims the API checks, so a minted token works against a server sharing secret.
func MintToken(secret []byte, role domain.Role, region, sub string, ttl time.Duration) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("mint token: empty secret")
	}
	if !role.Valid() {
		return "", fmt.Errorf("mint token: unknown role %q", role)
	}
	if sub == "" {
		return "", errors.New("mint token: empty subject")
	}
	if ttl <= 0 {
		return "", fmt.Errorf("mint token: ttl %s must be positive", ttl)
	}
	now := time.Now()
	claims := Claims{Role: role, Region: region, RegisteredClaims: jwt.RegisteredClaims{
		Subject:   sub,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	tok, err := jwt.NewWithClaims(signingMethod, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return tok, nil
}

// authenticate requires a valid bearer token (401 otherwise) and puts the actor it names
// into the context. Whether that actor may act is decided per route (R12), because it
// depends on the campaign and the county.
func (s *server) authenticate() echo.MiddlewareFunc {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{signingMethod.Alg()}), jwt.WithExpirationRequired())
	secret := s.cfg.JWTSecret
	return echojwt.WithConfig(echojwt.Config{
		ParseTokenFunc: func(_ echo.Context, raw string) (any, error) {
			claims := &Claims{}
			tok, err := parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return secret, nil })
			if err != nil {
				return nil, err
			}
			if claims.Subject == "" {
				return nil, errors.New("token has no sub claim")
			}
			return tok, nil
		},
		SuccessHandler: func(c echo.Context) {
			if tok, ok := c.Get("user").(*jwt.Token); ok {
				if cl, ok := tok.Claims.(*Claims); ok {
					c.Set(actorKey, domain.Actor{Sub: cl.Subject, Role: cl.Role, Region: cl.Region})
				}
			}
		},
		ErrorHandler: func(c echo.Context, err error) error {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="selection"`)
			var missing *echojwt.TokenExtractionError
			if errors.As(err, &missing) {
				return newError(codeUnauthenticated, "", "a bearer token is required (Authorization: Bearer <JWT>)")
			}
			return newError(codeUnauthenticated, "", "the bearer token is invalid or expired")
		},
	})
}

// actorOf returns the authenticated caller; ok is false on public routes.
func actorOf(c echo.Context) (domain.Actor, bool) {
	a, ok := c.Get(actorKey).(domain.Actor)
	return a, ok
}

// official checks that the caller's role and region fit together for the campaign's
// province (R12): a county token must name a county, a prefecture token a prefecture,
// reviewers and administrators the province. Every authenticated campaign route starts
// with it, reads included.
func (s *server) official(c echo.Context, province string) (domain.Actor, error) {
	a, ok := actorOf(c)
	if !ok {
		return domain.Actor{}, newError(codeUnauthenticated, "", "a bearer token is required")
	}
	divs, err := domain.Current(province)
	if err != nil {
		return a, err
	}
	if err := domain.ValidateActor(a, divs, province); err != nil {
		return a, err
	}
	return a, nil
}
