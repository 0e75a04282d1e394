package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"masthead/subscribers"
)

// Amazon SNS delivers SES notifications as an envelope whose Message is the
// SES notification's JSON (AWS docs: "Amazon SNS notification contents for
// Amazon SES").
type snsEnvelope struct {
	Type         string `json:"Type"` // Notification, SubscriptionConfirmation, UnsubscribeConfirmation
	MessageID    string `json:"MessageId"`
	TopicArn     string `json:"TopicArn"`
	Message      string `json:"Message"`
	SubscribeURL string `json:"SubscribeURL"`
}

type sesNotification struct {
	NotificationType string `json:"notificationType"` // SES notifications
	EventType        string `json:"eventType"`        // SES event publishing uses this name
	Bounce           *struct {
		BounceType        string `json:"bounceType"` // Permanent, Transient, Undetermined
		BounceSubType     string `json:"bounceSubType"`
		BouncedRecipients []struct {
			EmailAddress   string `json:"emailAddress"`
			Status         string `json:"status"`
			DiagnosticCode string `json:"diagnosticCode"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplaintFeedbackType string `json:"complaintFeedbackType"`
		ComplainedRecipients  []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

// isSNS tells an SNS envelope sent without its header from masthead's JSON.
func isSNS(body []byte) bool {
	var probe struct {
		Type     string `json:"Type"`
		TopicArn string `json:"TopicArn"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.TopicArn != "" && probe.Type != ""
}

// snsReports reads an SNS message. A subscription confirmation is logged
// with its SubscribeURL, which an operator visits to confirm: the server
// never fetches a URL a request gave it.
func (s *Server) snsReports(body []byte) ([]report, error) {
	var env snsEnvelope
	if json.Unmarshal(body, &env) != nil {
		return nil, errors.New("the body is not an SNS message")
	}
	switch env.Type {
	case "SubscriptionConfirmation":
		s.log.Warn("webhook: SNS subscription waiting for confirmation; visit SubscribeURL to confirm it",
			"topic", env.TopicArn, "SubscribeURL", env.SubscribeURL)
		return nil, nil
	case "UnsubscribeConfirmation":
		s.log.Warn("webhook: SNS subscription ended", "topic", env.TopicArn)
		return nil, nil
	case "Notification":
	default:
		return nil, fmt.Errorf("SNS message type %q", env.Type)
	}
	var n sesNotification
	if json.Unmarshal([]byte(env.Message), &n) != nil {
		return nil, errors.New("the SNS Message is not an SES notification")
	}
	kind := n.NotificationType
	if kind == "" {
		kind = n.EventType
	}
	var out []report
	switch {
	case kind == "Bounce" && n.Bounce != nil:
		hard := n.Bounce.BounceType == "Permanent"
		for _, rc := range n.Bounce.BouncedRecipients {
			detail := strings.TrimSpace("SES " + n.Bounce.BounceType + "/" + n.Bounce.BounceSubType + " " + rc.Status + " " + rc.DiagnosticCode)
			out = append(out, report{ID: "sns:" + env.MessageID, Type: "bounce", Email: rc.EmailAddress, Hard: hard, Detail: detail})
		}
	case kind == "Complaint" && n.Complaint != nil:
		for _, rc := range n.Complaint.ComplainedRecipients {
			out = append(out, report{ID: "sns:" + env.MessageID, Type: "complaint", Email: rc.EmailAddress,
				Detail: strings.TrimSpace("SES complaint " + n.Complaint.ComplaintFeedbackType)})
		}
	default:
		s.log.Info("webhook: SES notification ignored", "type", kind, "message", env.MessageID)
		return nil, nil
	}
	valid := out[:0]
	for _, rep := range out {
		if _, err := subscribers.Normalize(rep.Email); err != nil {
			s.log.Warn("webhook: SES report for an unusable address ignored", "err", err)
			continue
		}
		valid = append(valid, rep)
	}
	return valid, nil
}
