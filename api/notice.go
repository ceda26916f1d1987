package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// The public notice, 公示 (R9): published by the administrator, read by anyone, each
// version kept.

// publishNotice publishes the shortlist and starts publicity (R9, R10).
func (s *server) publishNotice(c echo.Context) error {
	var n readmodel.Notice
	if _, err := s.adminAction(c, "publish the notice", workflows.UpdatePublishNotice, &n); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

// getNotice is public: the 公示 and its explanation are for everyone (R9, R11).
func (s *server) getNotice(c echo.Context) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	var n readmodel.Notice
	if raw := c.QueryParam("version"); raw != "" {
		version, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || version < 1 {
			return badRequest("version %q must be a whole number from 1", raw)
		}
		n, err = s.st.NoticeVersion(c.Request().Context(), v.Province, v.Year, version)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("the notice of %d has no version %d", v.Year, version)
		}
	} else {
		n, err = s.st.Notice(c.Request().Context(), v.Province, v.Year)
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound("the notice of %d is not published yet", v.Year)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}
