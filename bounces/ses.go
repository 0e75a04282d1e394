package bounces

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

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

// snsReports reads an SNS message: one report per SES notification, on the
// SNS MessageId (SNS retries a notification with the same one). A
// subscription confirmation is logged with its SubscribeURL, which an
// operator visits to confirm: masthead never fetches a URL a request gave it.
func snsReports(body []byte, log *slog.Logger) ([]*Report, error) {
	var env snsEnvelope
	if json.Unmarshal(body, &env) != nil {
		return nil, errors.New("the body is not an SNS message")
	}
	switch env.Type {
	case "SubscriptionConfirmation":
		log.Warn("webhook: SNS subscription waiting for confirmation; visit SubscribeURL to confirm it",
			"topic", env.TopicArn, "SubscribeURL", env.SubscribeURL)
		return nil, nil
	case "UnsubscribeConfirmation":
		log.Warn("webhook: SNS subscription ended", "topic", env.TopicArn)
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
	rep := &Report{ID: "sns:" + env.MessageID, Type: TypeSES, Direct: true}
	add := func(email string, kind Kind, detail string) {
		if _, err := subscribers.Normalize(email); err != nil {
			log.Warn("webhook: SES report for an unusable address ignored", "err", err)
			return
		}
		rep.Recipients = append(rep.Recipients, Recipient{Kind: kind, Final: email, Detail: oneLine(detail)})
	}
	switch {
	case kind == "Bounce" && n.Bounce != nil:
		k := Soft
		if n.Bounce.BounceType == "Permanent" {
			k = Hard
		}
		for _, rc := range n.Bounce.BouncedRecipients {
			add(rc.EmailAddress, k, "SES "+n.Bounce.BounceType+"/"+n.Bounce.BounceSubType+" "+rc.Status+" "+rc.DiagnosticCode)
		}
	case kind == "Complaint" && n.Complaint != nil:
		for _, rc := range n.Complaint.ComplainedRecipients {
			add(rc.EmailAddress, Complaint, "SES complaint "+n.Complaint.ComplaintFeedbackType)
		}
	default:
		log.Info("webhook: SES notification ignored", "type", kind, "message", env.MessageID)
		return nil, nil
	}
	return []*Report{rep}, nil
}
