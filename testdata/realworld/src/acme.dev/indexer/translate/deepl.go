// Package translate translates article text with the DeepL API.
package translate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

type DeepL struct {
	key  string
	http *http.Client
}

func NewDeepL(key string) *DeepL { return &DeepL{key: key, http: http.DefaultClient} }

// Translate returns text in the target language. It has no effect beyond
// the answer (and the character quota).
func (d *DeepL) Translate(ctx context.Context, text, target string) (string, error) {
	form := url.Values{"text": {text}, "target_lang": {strings.ToUpper(target)}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://api.deepl.com/v2/translate", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "DeepL-Auth-Key "+d.key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := d.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("deepl: %s", resp.Status)
	}
	var out struct {
		Translations []struct {
			Text string `json:"text"`
		} `json:"translations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", err
	}
	if len(out.Translations) == 0 {
		return "", fmt.Errorf("deepl: no translation")
	}
	return out.Translations[0].Text, nil
}
