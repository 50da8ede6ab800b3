// Package bank is the client of the partner bank's payout API.
package bank

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

type Client struct {
	base, key string
	http      *http.Client
}

func New(base, key string) *Client { return &Client{base: base, key: key, http: &http.Client{}} }

type Transfer struct {
	SellerIBAN  string `json:"iban"`
	AmountCents int64  `json:"amount_cents"`
	Currency    string `json:"currency"`
	Reference   string `json:"reference"`
}

// Transfer wires money to a seller's account.
func (c *Client) Transfer(ctx context.Context, t Transfer) (string, error) {
	body, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/v1/transfers", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("bank: %s", resp.Status)
	}
	var out struct {
		ID string `json:"id"`
	}
	return out.ID, json.NewDecoder(resp.Body).Decode(&out)
}
