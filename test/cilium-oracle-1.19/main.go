// Command cilium-oracle decides a network path the way the Cilium 1.19 agent does, with
// Cilium's own code at github.com/cilium/cilium v1.19.7, so the TypeScript path engine
// (lib/paths/) can be checked against its 1.19 semantics. v1.19.7 and not the chart pin
// (v1.19.8): the Go module proxy refuses v1.19.8 and v1.19.9 ("403 Forbidden ... This module
// version is not available"), and v1.19.7 is the tag the 1.19 line's vendored files were
// compared with. This is test/cilium-oracle-1.20/main.go with the calls pkg/policy has at
// v1.19.7 (named below where they differ); everything else is the same on purpose.
//
// Interface: one JSON object per stdin line, {"id", "policies", "path", "cilium"}; one answer
// per line on stdout, in input order: {"id", "verdict", "proxy", "detail"} or {"id", "error"}.
// Diagnostics go to stderr. Exit 0 when every line was answered, 1 on an I/O failure.
// With --print-crds it prints the tag's policy CRDs instead (printCRDs).
//
// How a line is decided, following Cilium's own tests and agent at v1.19.7:
//   - documents are decoded into Cilium's types and parsed by Cilium's parsers:
//     NetworkPolicy with pkg/k8s/network_policy.go ParseNetworkPolicy, CiliumNetworkPolicy and
//     CiliumClusterwideNetworkPolicy with pkg/k8s/apis/cilium.io/v2 (*CiliumNetworkPolicy).Parse /
//     (*CiliumClusterwideNetworkPolicy).Parse and pkg/policy/utils RulesToPolicyEntries, as
//     pkg/policy/k8s/cilium_network_policy.go upsertCiliumNetworkPolicyV2 does; a document the
//     parser refuses is left out, as the agent leaves it out, and named in "detail";
//   - the cluster name is Cilium's default ("default", pkg/defaults/cluster.go) under
//     policy-default-local-cluster=true (pkg/clustermesh/types/option.go DefaultPolicyConfig);
//     pods carry io.cilium.k8s.policy.cluster=default unless their labels say otherwise;
//   - a fresh policy.Repository and identity manager per line, set up as
//     pkg/k8s/network_policy_test.go testNewPolicyRepository does (NewPolicyRepository,
//     SetLocalIdentityNotifier; at v1.19.7 the repository's policy cache subscribes itself to
//     the identity manager, pkg/policy/distillery.go newPolicyCache);
//   - the verdict per direction as pkg/policy/lookup.go LookupFlow computes it
//     (GetSelectorPolicy, DistillPolicy, EndpointPolicy.Lookup), keeping the map entry so a
//     proxy redirect (MapStateEntry.IsRedirectEntry) is reported. v1.19.7 has no fallback
//     redirect: DistillPolicy skips a redirect whose proxy port is not in the map it is given
//     (pkg/policy/l4.go makeMapStateEntry), so the map holds a port for every redirect filter
//     of the selector policy, keyed as the endpoint keys it (pkg/endpoint/policy.go proxyID,
//     pkg/endpoint/bpf.go addNewRedirects: SelectorPolicy.RedirectFilters);
//   - the cluster entity is filled as pkg/policy/cell/cell.go does (api.InitEntities);
//   - the agent settings are the option.Config fields and policy.SetPolicyEnabled the agent
//     sets; allow-localhost "auto" becomes "always" as daemon/cmd/daemon.go does under Kubernetes.
//
// What Cilium decides from facts a line does not carry is answered "outside", never guessed:
// DNS answers (toFQDNs towards the world, fqdn destinations), named ports, node labels
// (fromNodes/toNodes, a nodeSelector other than {}), services (toServices), cloud groups, node IPs
// under policy-cidr-match-mode=nodes, mutual authentication. policy-cidr-match-mode=pods is refused,
// as the v1.19.7 agent refuses it.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/cilium/cilium/pkg/crypto/certificatemanager"
	"github.com/cilium/cilium/pkg/endpoint/regeneration"
	envoypolicy "github.com/cilium/cilium/pkg/envoy/policy"
	"github.com/cilium/cilium/pkg/identity"
	"github.com/cilium/cilium/pkg/identity/identitymanager"
	"github.com/cilium/cilium/pkg/k8s"
	k8sConst "github.com/cilium/cilium/pkg/k8s/apis/cilium.io"
	crdclient "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/client"
	cilium_v2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	slim_networkingv1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/networking/v1"
	"github.com/cilium/cilium/pkg/labels"
	"github.com/cilium/cilium/pkg/option"
	"github.com/cilium/cilium/pkg/policy"
	policyapi "github.com/cilium/cilium/pkg/policy/api"
	policytypes "github.com/cilium/cilium/pkg/policy/types"
	policyutils "github.com/cilium/cilium/pkg/policy/utils"
	"github.com/cilium/cilium/pkg/spanstat"
	testidentity "github.com/cilium/cilium/pkg/testutils/identity"
	testpolicy "github.com/cilium/cilium/pkg/testutils/policy"
	"github.com/cilium/cilium/pkg/u8proto"
)

// clusterName is the agent's default cluster-name (pkg/defaults/cluster.go ClusterName).
const clusterName = "default"

// otherLine answers a line of the 1.20 line: each line has its own oracle
// (test/cilium-oracle-1.20), and scripts/oracle.mjs sends each line to its line's.
const otherLine = "this oracle decides the 1.19 line (Cilium v1.19.7); the 1.20 line is decided by test/cilium-oracle-1.20"

type input struct {
	ID       json.RawMessage   `json:"id"`
	Policies []json.RawMessage `json:"policies"`
	Path     *struct {
		From     json.RawMessage `json:"from"`
		To       json.RawMessage `json:"to"`
		Protocol string          `json:"protocol"`
		Port     int             `json:"port"`
	} `json:"path"`
	Cilium *settings `json:"cilium"`
}

type settings struct {
	Version                      *string `json:"version"`
	PolicyEnforcementMode        *string `json:"policyEnforcementMode"`
	PolicyCIDRMatchMode          *string `json:"policyCIDRMatchMode"`
	EnableNonDefaultDenyPolicies *bool   `json:"enableNonDefaultDenyPolicies"`
	AllowLocalhost               *string `json:"allowLocalhost"`
	HostFirewall                 *bool   `json:"hostFirewall"`
}

type peer struct {
	Entity          *string           `json:"entity"`
	Node            *string           `json:"node"`
	IP              *string           `json:"ip"`
	Namespace       *string           `json:"namespace"`
	Labels          map[string]string `json:"labels"`
	NamespaceLabels map[string]string `json:"namespaceLabels"`
	FQDN            *string           `json:"fqdn"`
}

type answer struct {
	ID      json.RawMessage `json:"id"`
	Verdict string          `json:"verdict,omitempty"`
	Proxy   *bool           `json:"proxy,omitempty"`
	Detail  string          `json:"detail,omitempty"`
	Error   string          `json:"error,omitempty"`
}

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if len(os.Args) == 2 && os.Args[1] == "--print-crds" {
		printCRDs(logger)
		return
	}
	// The agent fills the cluster entity with its cluster name at start (pkg/policy/cell/cell.go).
	policyapi.InitEntities(clusterName)
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for {
		line, err := in.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			if encErr := enc.Encode(decideLine(logger, line)); encErr != nil {
				fmt.Fprintln(os.Stderr, "cilium-oracle: writing stdout:", encErr)
				os.Exit(1)
			}
			// Answer each line as it comes: a caller may wait for it before writing the next.
			if flushErr := out.Flush(); flushErr != nil {
				fmt.Fprintln(os.Stderr, "cilium-oracle: writing stdout:", flushErr)
				os.Exit(1)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "cilium-oracle: reading stdin:", err)
			os.Exit(1)
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "cilium-oracle: writing stdout:", err)
		os.Exit(1)
	}
}

func decideLine(logger *slog.Logger, line []byte) (a answer) {
	var req input
	if err := json.Unmarshal(line, &req); err != nil {
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.Unmarshal(line, &probe)
		return answer{ID: orNull(probe.ID), Error: "cannot decode the line: " + err.Error()}
	}
	a.ID = orNull(req.ID)
	defer func() {
		// A panic inside Cilium's code is an answer too: the run goes on.
		if r := recover(); r != nil {
			a = answer{ID: orNull(req.ID), Error: fmt.Sprintf("cilium code panicked: %v", r)}
		}
	}()
	verdict, proxy, detail, err := decide(logger, &req)
	if err != nil {
		return answer{ID: a.ID, Error: err.Error()}
	}
	if verdict == "allowed" || verdict == "denied" {
		p := proxy
		return answer{ID: a.ID, Verdict: verdict, Proxy: &p, Detail: detail}
	}
	f := false
	return answer{ID: a.ID, Verdict: verdict, Proxy: &f, Detail: detail}
}

func orNull(id json.RawMessage) json.RawMessage {
	if len(id) == 0 {
		return json.RawMessage("null")
	}
	return id
}

// side is one end of the path as the agent sees it.
type side struct {
	id *identity.Identity
	// self: the identity under which the end's own agent computes its policy (another node's
	// host endpoint is reserved:host there, not remote-node); nil means id.
	self *identity.Identity
	// enforcing: an endpoint on this node whose policy Cilium computes (a pod, or the host
	// under the host firewall).
	enforcing bool
	isPod     bool
	isHost    bool
	text      string
}

type config struct {
	nodesMode bool
}

func applySettings(s *settings) (config, error) {
	if s == nil {
		s = &settings{}
	}
	if s.Version != nil {
		v := *s.Version
		switch {
		case v == "1.19" || strings.HasPrefix(v, "1.19."):
		case v == "1.20" || strings.HasPrefix(v, "1.20."):
			return config{}, errors.New(otherLine)
		default:
			return config{}, fmt.Errorf("cilium.version %q is no supported line", v)
		}
	}
	mode := option.DefaultEnforcement
	if s.PolicyEnforcementMode != nil {
		switch *s.PolicyEnforcementMode {
		case option.DefaultEnforcement, option.AlwaysEnforce, option.NeverEnforce:
			mode = *s.PolicyEnforcementMode
		default:
			return config{}, fmt.Errorf("cilium.policyEnforcementMode %q is not one of default, always, never", *s.PolicyEnforcementMode)
		}
	}
	policy.SetPolicyEnabled(mode)
	option.Config.EnableNonDefaultDenyPolicies = s.EnableNonDefaultDenyPolicies == nil || *s.EnableNonDefaultDenyPolicies
	localhost := option.AllowLocalhostAuto
	if s.AllowLocalhost != nil {
		localhost = *s.AllowLocalhost
	}
	switch localhost {
	case option.AllowLocalhostAuto:
		// daemon/cmd/daemon.go: under Kubernetes, "auto" is "always".
		localhost = option.AllowLocalhostAlways
	case option.AllowLocalhostAlways, option.AllowLocalhostPolicy:
	default:
		return config{}, fmt.Errorf("cilium.allowLocalhost %q is not one of auto, always, policy", localhost)
	}
	option.Config.AllowLocalhost = localhost
	option.Config.EnableHostFirewall = s.HostFirewall != nil && *s.HostFirewall
	var c config
	option.Config.PolicyCIDRMatchMode = nil
	if s.PolicyCIDRMatchMode != nil && *s.PolicyCIDRMatchMode != "" {
		for _, m := range strings.Split(*s.PolicyCIDRMatchMode, " ") {
			switch m {
			case "nodes":
				c.nodesMode = true
			default:
				// pkg/option/config.go validatePolicyCIDRMatchMode at v1.19.7: "nodes" is the only
				// mode; the agent refuses to start with any other ("pods" is from 1.20).
				return config{}, fmt.Errorf("cilium.policyCIDRMatchMode %q: unknown CIDR match mode %s (Cilium 1.19 knows only nodes)", *s.PolicyCIDRMatchMode, m)
			}
			option.Config.PolicyCIDRMatchMode = append(option.Config.PolicyCIDRMatchMode, m)
		}
	}
	return c, nil
}

// features of the policy set that make Cilium depend on facts a line does not carry.
type features struct {
	namedPort, fqdn, nodes, services, groups, cidr, nodeLabels bool
}

func scan(v any, f *features) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			switch k {
			case "toFQDNs":
				f.fqdn = true
			case "fromNodes", "toNodes":
				f.nodes = true
			case "toServices":
				f.services = true
			case "toGroups", "fromGroups":
				f.groups = true
			case "ipBlock", "toCIDR", "fromCIDR", "toCIDRSet", "fromCIDRSet":
				f.cidr = true
			case "nodeSelector":
				// {} selects every node; anything else depends on node labels.
				if sel, ok := x.(map[string]any); ok && (len(asMap(sel["matchLabels"])) > 0 || len(asSlice(sel["matchExpressions"])) > 0) {
					f.nodeLabels = true
				}
			case "port":
				if s, ok := x.(string); ok {
					if _, err := strconv.Atoi(s); err != nil && s != "" {
						f.namedPort = true
					}
				}
			}
			scan(x, f)
		}
	case []any:
		for _, x := range t {
			scan(x, f)
		}
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func decide(logger *slog.Logger, req *input) (verdict string, proxy bool, detail string, err error) {
	cfg, err := applySettings(req.Cilium)
	if err != nil {
		return "", false, "", err
	}
	if req.Path == nil {
		return "", false, "", errors.New("path is missing")
	}
	proto, err := u8proto.ParseProtocol(req.Path.Protocol)
	if err != nil || req.Path.Protocol == "" {
		return "", false, "", fmt.Errorf("path.protocol %q is not TCP, UDP or SCTP", req.Path.Protocol)
	}
	if req.Path.Port < 1 || req.Path.Port > 65535 {
		return "", false, "", fmt.Errorf("path.port %d is outside 1-65535", req.Path.Port)
	}
	var from, to peer
	if err := json.Unmarshal(req.Path.From, &from); err != nil {
		return "", false, "", fmt.Errorf("path.from: %w", err)
	}
	if err := json.Unmarshal(req.Path.To, &to); err != nil {
		return "", false, "", fmt.Errorf("path.to: %w", err)
	}

	var f features
	var notes []string
	ids := newIdentities()
	src, why, err := ids.side("path.from", &from, cfg, true)
	if err != nil {
		return "", false, "", err
	}
	if why != "" {
		return "outside", false, why, nil
	}
	dst, why, err := ids.side("path.to", &to, cfg, false)
	if err != nil {
		return "", false, "", err
	}
	if why != "" {
		return "outside", false, why, nil
	}

	if ids.clash() {
		return "outside", false, "both ends are nodes under the host firewall, and the oracle models one host identity", nil
	}
	idm := identitymanager.NewIDManager(logger)
	// The L7 rules translator as pkg/policy/distillery_test.go at v1.19.7 sets it up: without
	// one, distilling an http rule dereferences nil.
	l7 := envoypolicy.NewEnvoyL7RulesTranslator(logger, certificatemanager.NewMockSecretManagerInline())
	repo := policy.NewPolicyRepository(logger, ids.all(), nil, l7, idm, testpolicy.NewPolicyMetricsNoop())
	repo.GetSelectorCache().SetLocalIdentityNotifier(testidentity.NewDummyIdentityNotifier())

	for i, raw := range req.Policies {
		var generic any
		_ = json.Unmarshal(raw, &generic)
		entries, name, perr := parseDocument(logger, raw)
		if perr != nil {
			notes = append(notes, fmt.Sprintf("policies[%d] %s left out: %v", i, name, perr))
			continue
		}
		scan(generic, &f)
		repo.MustAddPolicyEntries(entries)
	}

	switch {
	case f.namedPort:
		return "outside", false, withNotes("a named port: Cilium resolves it from the pod's ports, which the input does not carry", notes), nil
	case f.services:
		return "outside", false, withNotes("toServices: Cilium resolves it from Services and their endpoints, which the input does not carry", notes), nil
	case f.groups:
		return "outside", false, withNotes("toGroups/fromGroups: Cilium resolves them from a cloud provider", notes), nil
	case f.nodes && (src.isHost || dst.isHost || ids.nodeSide):
		return "outside", false, withNotes("fromNodes/toNodes: Cilium selects nodes by their labels, which the input does not carry", notes), nil
	case f.nodeLabels && option.Config.EnableHostFirewall && (src.isHost || dst.isHost || ids.nodeSide):
		return "outside", false, withNotes("a nodeSelector: Cilium selects nodes by their labels, which the input does not carry", notes), nil
	case f.fqdn && ids.worldDst:
		return "outside", false, withNotes("toFQDNs: Cilium selects the world by DNS answers, which the input does not carry", notes), nil
	case f.cidr && ids.nodeWithoutIP:
		return "outside", false, withNotes("policy-cidr-match-mode=nodes: CIDR rules select nodes by their IPs, and the path gives none", notes), nil
	}

	lookup := func(subject, remote *side, ingress bool) (policytypes.MapStateEntry, error) {
		self := subject.id
		if subject.self != nil {
			self = subject.self
		}
		owner := &endpointOwner{id: uint64(self.ID), host: self.ID == identity.ReservedIdentityHost}
		selPol, _, err := repo.GetSelectorPolicy(self, 0, &policyStats{}, owner.id)
		if err != nil {
			return policytypes.MapStateEntry{}, err
		}
		epp := selPol.DistillPolicy(logger, owner, realizedRedirects(selPol, owner))
		epp.Ready()
		epp.Detach(logger)
		key := policy.EgressKey()
		if ingress {
			key = policy.IngressKey()
		}
		entry, _, _ := epp.Lookup(key.WithIdentity(remote.id.ID).WithPortProto(proto, uint16(req.Path.Port)))
		return entry, nil
	}

	// LookupFlow adds both identities to the identity manager for the lookups.
	added := map[identity.NumericIdentity]bool{}
	for _, id := range []*identity.Identity{src.id, dst.id, src.self, dst.self} {
		if id != nil && !added[id.ID] {
			added[id.ID] = true
			idm.Add(id)
		}
	}

	steps := []string{}
	allowed := true
	for _, dir := range []struct {
		name            string
		subject, remote *side
		ingress         bool
	}{{"egress", src, dst, false}, {"ingress", dst, src, true}} {
		if !dir.subject.enforcing {
			steps = append(steps, fmt.Sprintf("%s: %s enforces no policy", dir.name, dir.subject.text))
			continue
		}
		entry, err := lookup(dir.subject, dir.remote, dir.ingress)
		if err != nil {
			return "", false, "", fmt.Errorf("%s policy of %s: %w", dir.name, dir.subject.text, err)
		}
		switch {
		case entry.IsDeny():
			allowed = false
			steps = append(steps, fmt.Sprintf("%s: denied by the policy map of %s", dir.name, dir.subject.text))
		case entry.AuthRequirement.AuthType() != policytypes.AuthTypeDisabled:
			return "outside", false, withNotes(fmt.Sprintf("%s: allowed with mutual authentication, which depends on the auth handshake", dir.name), notes), nil
		default:
			r := ""
			if entry.IsRedirectEntry() {
				proxy = true
				r = " (to the L7 proxy)"
			}
			steps = append(steps, fmt.Sprintf("%s: allowed by the policy map of %s%s", dir.name, dir.subject.text, r))
		}
	}
	if !allowed {
		proxy = false
		return "denied", false, withNotes(strings.Join(steps, "; "), notes), nil
	}
	return "allowed", proxy, withNotes(strings.Join(steps, "; "), notes), nil
}

func withNotes(detail string, notes []string) string {
	if len(notes) == 0 {
		return detail
	}
	return detail + "; " + strings.Join(notes, "; ")
}

// parseDocument runs the parser the agent runs for the document's kind.
func parseDocument(logger *slog.Logger, raw json.RawMessage) (policytypes.PolicyEntries, string, error) {
	var meta struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, "?", err
	}
	ns := meta.Metadata.Namespace
	if ns == "" && meta.Kind != "CiliumClusterwideNetworkPolicy" {
		// kubectl and the provider create namespaced objects in "default" when none is given.
		ns = "default"
	}
	name := fmt.Sprintf("%s %s/%s", meta.Kind, ns, meta.Metadata.Name)
	switch meta.Kind {
	case "NetworkPolicy":
		np := &slim_networkingv1.NetworkPolicy{}
		if err := json.Unmarshal(raw, np); err != nil {
			return nil, name, err
		}
		np.Namespace = ns
		entries, err := k8s.ParseNetworkPolicy(logger, clusterName, np)
		return entries, name, err
	case "CiliumNetworkPolicy":
		cnp := &cilium_v2.CiliumNetworkPolicy{}
		if err := json.Unmarshal(raw, cnp); err != nil {
			return nil, name, err
		}
		cnp.Namespace = ns
		rules, err := cnp.Parse(logger, clusterName)
		if err != nil {
			return nil, name, err
		}
		return policyutils.RulesToPolicyEntries(rules), name, nil
	case "CiliumClusterwideNetworkPolicy":
		ccnp := &cilium_v2.CiliumClusterwideNetworkPolicy{}
		if err := json.Unmarshal(raw, ccnp); err != nil {
			return nil, name, err
		}
		rules, err := ccnp.Parse(logger, clusterName)
		if err != nil {
			return nil, name, err
		}
		return policyutils.RulesToPolicyEntries(rules), name, nil
	}
	return nil, name, fmt.Errorf("kind %q is no policy kind the agent reads", meta.Kind)
}

// identities gives each distinct label set one numeric identity, as the allocator does.
type identities struct {
	byKey    map[string]*identity.Identity
	next     identity.NumericIdentity
	nextLoc  identity.NumericIdentity
	nodeSide bool
	worldDst bool
	// nodeWithoutIP: a node end without its IP under policy-cidr-match-mode=nodes.
	nodeWithoutIP bool
}

func newIdentities() *identities {
	return &identities{byKey: map[string]*identity.Identity{}, next: 1001, nextLoc: identity.IdentityScopeLocal + 1}
}

func (s *identities) all() identity.IdentityMap {
	m := identity.IdentityMap{}
	for _, id := range s.byKey {
		m[id.ID] = id.LabelArray
	}
	return m
}

// clash: two label sets under one numeric identity (both ends a node's host).
func (s *identities) clash() bool {
	seen := map[identity.NumericIdentity]bool{}
	for _, id := range s.byKey {
		if seen[id.ID] {
			return true
		}
		seen[id.ID] = true
	}
	return false
}

func (s *identities) get(lbls labels.LabelArray, fixed identity.NumericIdentity, local bool) *identity.Identity {
	lbls = lbls.Sort()
	key := lbls.String()
	if id, ok := s.byKey[key]; ok {
		return id
	}
	n := fixed
	if n == 0 && local {
		n = s.nextLoc
		s.nextLoc++
	} else if n == 0 {
		n = s.next
		s.next++
	}
	id := identity.NewIdentityFromLabelArray(n, lbls)
	s.byKey[key] = id
	return id
}

func reserved(names ...string) labels.LabelArray {
	out := labels.LabelArray{}
	for _, n := range names {
		out = append(out, labels.NewLabel(n, "", labels.LabelSourceReserved))
	}
	return out
}

// side turns one end of the path into the identity the agent would give it
// (pkg/identity/numericidentity.go reservedIdentityLabels; pkg/labels/cidr.go GetCIDRLabels).
func (s *identities) side(field string, p *peer, cfg config, source bool) (*side, string, error) {
	switch {
	case p.FQDN != nil:
		if source {
			return nil, "", fmt.Errorf("%s.fqdn: a DNS name cannot be a source", field)
		}
		return nil, "a DNS name: Cilium selects it by DNS answers, which the input does not carry", nil
	case p.Namespace != nil:
		lbls := labels.LabelArray{labels.NewLabel(k8sConst.PodNamespaceLabel, *p.Namespace, labels.LabelSourceK8s)}
		hasCluster := false
		for k, v := range p.Labels {
			if k == k8sConst.PolicyLabelCluster {
				hasCluster = true
			}
			lbls = append(lbls, labels.NewLabel(k, v, labels.LabelSourceK8s))
		}
		if !hasCluster {
			lbls = append(lbls, labels.NewLabel(k8sConst.PolicyLabelCluster, clusterName, labels.LabelSourceK8s))
		}
		nsLabels := map[string]string{"kubernetes.io/metadata.name": *p.Namespace}
		for k, v := range p.NamespaceLabels {
			nsLabels[k] = v
		}
		keys := make([]string, 0, len(nsLabels))
		for k := range nsLabels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lbls = append(lbls, labels.NewLabel(k8sConst.PodNamespaceMetaLabelsPrefix+k, nsLabels[k], labels.LabelSourceK8s))
		}
		id := s.get(lbls, 0, false)
		return &side{id: id, enforcing: true, isPod: true, text: fmt.Sprintf("pod %s/%v", *p.Namespace, p.Labels)}, "", nil
	case p.Entity != nil:
		e := *p.Entity
		node := ""
		if p.Node != nil {
			node = *p.Node
		}
		var ip netip.Addr
		if p.IP != nil {
			a, err := netip.ParseAddr(*p.IP)
			if err != nil {
				return nil, "", fmt.Errorf("%s.ip: %w", field, err)
			}
			ip = a
		}
		host := option.Config.EnableHostFirewall
		var id *identity.Identity
		sd := &side{text: e}
		switch e {
		case "host", "kube-apiserver", "remote-node":
			local := e == "host" || (e == "kube-apiserver" && node == "local")
			var lbls labels.LabelArray
			var fixed identity.NumericIdentity
			switch {
			case local && e == "kube-apiserver":
				// The host identity with the kube-apiserver label merged in by the ipcache.
				lbls, fixed = reserved(labels.IDNameHost, labels.IDNameKubeAPIServer), identity.ReservedIdentityHost
			case local:
				lbls, fixed = reserved(labels.IDNameHost), identity.ReservedIdentityHost
			case e == "kube-apiserver":
				lbls, fixed = reserved(labels.IDNameKubeAPIServer, labels.IDNameRemoteNode), identity.ReservedIdentityKubeAPIServer
			default:
				lbls, fixed = reserved(labels.IDNameRemoteNode), identity.ReservedIdentityRemoteNode
			}
			if !local {
				s.nodeSide = true
				if host {
					// Under the host firewall, another node's agent enforces its host endpoint's
					// policy: the same cluster-wide policies, with that node as reserved:host.
					self := reserved(labels.IDNameHost)
					if e == "kube-apiserver" {
						self = reserved(labels.IDNameHost, labels.IDNameKubeAPIServer)
					}
					sd.self = s.get(self, identity.ReservedIdentityHost, false)
					sd.enforcing = true
				}
			}
			if cfg.nodesMode && !ip.IsValid() {
				// Decided only if no CIDR rule could select the node (decide checks).
				s.nodeWithoutIP = true
			} else if cfg.nodesMode {
				// pkg/node/manager/manager.go nodeIdentityLabels and the node's ipcache
				// metadata: a node's IPs carry their CIDR labels, the world label removed
				// (pkg/ipcache/metadata.go resolveLabels). The host keeps its fixed identity
				// (its label set is mutable); another node's IP gets a local identity.
				for _, l := range labels.GetCIDRLabelArray(netip.PrefixFrom(ip, ip.BitLen())) {
					if l.Source == labels.LabelSourceCIDR {
						lbls = append(lbls, l)
					}
				}
				if !local {
					fixed = 0
				}
			}
			id = s.get(lbls, fixed, fixed == 0)
			sd.isHost = local
			sd.enforcing = sd.enforcing || (local && host)
		case "world":
			if !source {
				s.worldDst = true
			}
			if ip.IsValid() {
				id = s.get(labels.GetCIDRLabelArray(netip.PrefixFrom(ip, ip.BitLen())), 0, true)
			} else {
				id = s.get(reserved(labels.IDNameWorld), identity.ReservedIdentityWorld, false)
			}
		case "health":
			id = s.get(reserved(labels.IDNameHealth), identity.ReservedIdentityHealth, false)
		case "ingress":
			id = s.get(reserved(labels.IDNameIngress), identity.ReservedIdentityIngress, false)
		case "init":
			id = s.get(reserved(labels.IDNameInit), identity.ReservedIdentityInit, false)
		case "unmanaged":
			id = s.get(reserved(labels.IDNameUnmanaged), identity.ReservedIdentityUnmanaged, false)
		default:
			return nil, "", fmt.Errorf("%s.entity %q is no entity", field, e)
		}
		sd.id = id
		return sd, "", nil
	}
	return nil, "", fmt.Errorf("%s must be { entity }, { namespace, labels } or { fqdn }", field)
}

// endpointOwner is the PolicyOwner of pkg/policy/lookup.go endpointInfo, outside the package.
type endpointOwner struct {
	id   uint64
	host bool
}

func (o *endpointOwner) GetID() uint64                                     { return o.id }
func (o *endpointOwner) GetNamedPort(bool, string, u8proto.U8proto) uint16 { return 0 }
func (o *endpointOwner) PolicyDebug(string, ...any)                        {}
func (o *endpointOwner) IsHost() bool                                      { return o.host }
func (o *endpointOwner) PreviousMapState() *policy.MapState                { return nil }
func (o *endpointOwner) RegenerateIfAlive(*regeneration.ExternalRegenerationMetadata) <-chan bool {
	ch := make(chan bool)
	close(ch)
	return ch
}

// policyStats is pkg/policy/lookup.go dummyPolicyStats, outside the package.
type policyStats struct {
	waiting, calculation spanstat.SpanStat
}

func (s *policyStats) WaitingForPolicyRepository() *spanstat.SpanStat { return &s.waiting }
func (s *policyStats) SelectorPolicyCalculation() *spanstat.SpanStat  { return &s.calculation }

// realizedRedirects is a proxy port for every redirect of the selector policy, keyed as
// pkg/endpoint/policy.go proxyID keys it (the filter's port; a named port is outside before
// this runs), so DistillPolicy keeps each redirect entry instead of skipping it as unrealized.
func realizedRedirects(selPol policy.SelectorPolicy, owner *endpointOwner) map[string]uint16 {
	out := map[string]uint16{}
	for l4, tuple := range selPol.RedirectFilters() {
		out[policy.ProxyID(uint16(owner.id), l4.Ingress, string(l4.Protocol), l4.Port, tuple.Policy.GetListener())] = math.MaxUint16
	}
	return out
}

// printCRDs prints the policy CRDs the tag embeds (pkg/k8s/apis/cilium.io/client
// GetPregeneratedCRD, what the operator registers), keyed by their file names, so the
// repository's vendored copies (schemas/cilium/1.19/) can be compared with them.
func printCRDs(logger *slog.Logger) {
	out := map[string]any{
		"ciliumnetworkpolicies.yaml":            crdclient.GetPregeneratedCRD(logger, crdclient.CNPCRDName),
		"ciliumclusterwidenetworkpolicies.yaml": crdclient.GetPregeneratedCRD(logger, crdclient.CCNPCRDName),
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "cilium-oracle: writing stdout:", err)
		os.Exit(1)
	}
}
