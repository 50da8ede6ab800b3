package orders

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/durable-go/durable/examples/shop/internal/events"
	"github.com/durable-go/durable/runtime/durabletest"
)

func order(id string, totalCents int64) events.OrderCreatedData {
	return events.OrderCreatedData{OrderID: id, CustomerID: "cus-" + id, TotalCents: totalCents,
		Items: []events.Item{{Sku: "kettle", Quantity: 1}}}
}

func paid(id string, cents int64) durabletest.Option {
	return durabletest.DeliverEvent("await-payment", events.PaymentReceived.New(events.PaymentReceivedData{OrderID: id, AmountCents: cents}))
}

// emailsTo lists the emails the fake mailer sent to a recipient.
func emailsTo(to string) []string {
	f := services.(*fakeServices)
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.emails {
		if rcpt, subject, _ := strings.Cut(e, ": "); rcpt == to {
			out = append(out, subject)
		}
	}
	return out
}

func TestProcessOrderPaid(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, ProcessOrder,
		events.OrderCreated.New(events.OrderCreatedData{OrderID: "o1", CustomerID: "c1", TotalCents: 1000,
			Items: []events.Item{{Sku: "kettle", Quantity: 2}}}),
		// The payment that step.WaitForEvent("await-payment") receives; the
		// engine matches it against the wait's If, as in production.
		durabletest.DeliverEvent("await-payment",
			events.PaymentReceived.New(events.PaymentReceivedData{OrderID: "o1", AmountCents: 1000})),
		// The carrier fails twice, then answers.
		durabletest.MockStepFailures("ship", 2, errors.New("carrier API: 503")),
		durabletest.MockStep("ship", "TRK-1", nil),
		// The function triggered by shop/order.shipped runs too.
		durabletest.With(SendShippingEmail),
	)
	res.AssertCompleted(t)
	res.AssertSteps(t, "reserve-stock", "await-payment", "fraud-window", "ship", "announce-shipment")
	res.AssertStep(t, "reserve-stock", "res-o1")
	res.AssertStepAttempts(t, "ship", 3)
	res.AssertOutput(t, "TRK-1")
	res.AssertSent(t, "shop/order.shipped", events.OrderShippedData{OrderID: "o1", CustomerID: "c1", Tracking: "TRK-1"})
	res.RunOf("send-shipping-email").AssertOutput(t, "Your order o1 has shipped (TRK-1)")
	if res.Elapsed() < fraudWindow {
		t.Errorf("Elapsed = %v; the fraud window alone is %v", res.Elapsed(), fraudWindow)
	}
}

// orderSeq makes order IDs unique within the process: the fake services
// remember orders across tests (and across -count runs).
var orderSeq atomic.Int32

// With the real fake services: the carrier fails the first attempt of every
// order, the retry ships it, and the customer gets the email.
func TestProcessOrderRealServices(t *testing.T) {
	t.Parallel()
	id := fmt.Sprintf("o-real-%d", orderSeq.Add(1))
	res := durabletest.Run(t, ProcessOrder, events.OrderCreated.New(order(id, 4900)), paid(id, 4900),
		durabletest.With(SendShippingEmail))
	tracking := "TRK-" + strings.ToUpper(id)
	res.AssertOutput(t, tracking)
	res.AssertStepAttempts(t, "ship", 2)
	want := "Your order " + id + " has shipped (" + tracking + ")"
	if got := emailsTo("cus-" + id); !slices.Equal(got, []string{want}) {
		t.Errorf("emails to the customer: %q, want %q", got, want)
	}
}

func TestProcessOrderNeverPaid(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, ProcessOrder, events.OrderCreated.New(order("o-unpaid", 1800)),
		durabletest.TimeoutWait("await-payment"))
	res.AssertOutput(t, "abandoned: no payment")
	res.AssertSteps(t, "reserve-stock", "await-payment", "release-stock")
	res.AssertNotSent(t, "shop/order.shipped")
	if res.Elapsed() != paymentTimeout {
		t.Errorf("Elapsed = %v, want the payment timeout %v", res.Elapsed(), paymentTimeout)
	}
}

func TestProcessOrderIgnoresPaymentsOfOtherOrders(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, ProcessOrder, events.OrderCreated.New(order("o-mine", 1000)),
		durabletest.DeliverNonMatchingEvent("await-payment", events.PaymentReceived.New(events.PaymentReceivedData{OrderID: "o-other", AmountCents: 1000})),
		paid("o-mine", 1000),
		durabletest.MockStep("ship", "TRK-M", nil))
	res.AssertOutput(t, "TRK-M")
}

func TestProcessOrderUnderpaidAlerts(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, ProcessOrder, events.OrderCreated.New(order("o-short", 6500)), paid("o-short", 3000),
		durabletest.With(AlertOnFailure),
		durabletest.MockStep("page-on-call", true, nil))
	res.AssertFailed(t, "order o-short: paid 3000 of 6500 cents")
	res.AssertSteps(t, "reserve-stock", "await-payment")
	res.AssertNotSent(t, "shop/order.shipped")
	alert := res.RunOf("alert-on-failure")
	alert.AssertCompleted(t)
	alert.AssertStep(t, "page-on-call", true)
}

func TestProcessOrderCarrierDown(t *testing.T) {
	t.Parallel()
	res := durabletest.Run(t, ProcessOrder, events.OrderCreated.New(order("o-down", 1000)), paid("o-down", 1000),
		durabletest.MockStep("ship", nil, errors.New("carrier API: 503")),
		durabletest.With(AlertOnFailure))
	res.AssertFailed(t, `step "ship" failed after 4 attempt(s): carrier API: 503`)
	res.AssertStepFailed(t, "ship", "carrier API: 503")
	res.AssertStepAttempts(t, "ship", 4)
	res.RunOf("alert-on-failure").AssertCompleted(t)
	if got := emailsTo("on-call"); !slices.ContainsFunc(got, func(s string) bool {
		return strings.Contains(s, "of process-order failed") && strings.Contains(s, "carrier API: 503")
	}) {
		t.Errorf("on-call emails: %q", got)
	}
}

func TestProcessOrderWithoutItemsFailsAtOnce(t *testing.T) {
	t.Parallel()
	empty := order("o-empty", 0)
	empty.Items = nil
	res := durabletest.Run(t, ProcessOrder, events.OrderCreated.New(empty))
	res.AssertFailed(t, "order o-empty has no items")
	res.AssertStepAttempts(t, "reserve-stock", 1)
	if res.Elapsed() != 0 {
		t.Errorf("Elapsed = %v: a non-retriable error must not wait for retries", res.Elapsed())
	}
}
