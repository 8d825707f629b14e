// _raif: the compiled half of the Python package `raif` (python/raif/__init__.py re-exports it).
// A thin layer over the headers: IFEval evaluation, compositions, rewards and combinators. Inputs
// are converted while the GIL is held; scoring runs on raif's parallel_for with the GIL released.

#include <raif/raif.hpp>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace py = pybind11;

namespace {

// --- JSON <-> Python -------------------------------------------------------------------------------

nlohmann::json to_json(const py::handle& o, const std::string& where) {
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) {
    // Python ints are unbounded; kwargs and specs only ever need 64 bits.
    try {
      return o.cast<std::int64_t>();
    } catch (const py::cast_error&) { throw raif::error("raif: " + where + ": integer out of range"); }
  }
  if (py::isinstance<py::float_>(o)) return o.cast<double>();
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : o.cast<py::dict>()) {
      if (!py::isinstance<py::str>(k))
        throw raif::error("raif: " + where + ": dict keys must be strings, got " + std::string(py::repr(k)));
      const auto key = k.cast<std::string>();
      j[key] = to_json(v, where + "." + key);
    }
    return j;
  }
  if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o)) {
    nlohmann::json j = nlohmann::json::array();
    std::size_t i = 0;
    for (const auto& v : o) j.push_back(to_json(v, where + "[" + std::to_string(i++) + "]"));
    return j;
  }
  throw raif::error("raif: " + where + ": cannot convert " + std::string(py::repr(o)) + " to JSON");
}

py::object from_json(const nlohmann::json& j) {
  switch (j.type()) {
  case nlohmann::json::value_t::null: return py::none();
  case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
  case nlohmann::json::value_t::number_integer: return py::int_(j.get<std::int64_t>());
  case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<std::uint64_t>());
  case nlohmann::json::value_t::number_float: return py::float_(j.get<double>());
  case nlohmann::json::value_t::string: return py::str(j.get_ref<const std::string&>());
  case nlohmann::json::value_t::array: {
    py::list l;
    for (const auto& v : j) l.append(from_json(v));
    return l;
  }
  case nlohmann::json::value_t::object: {
    py::dict d;
    for (const auto& [k, v] : j.items()) d[py::str(k)] = from_json(v);
    return d;
  }
  default: return py::none(); // binary and discarded never come out of raif
  }
}

// A spec given as a JSON string or as Python data.
nlohmann::json spec_json(const py::handle& o, const std::string& where) {
  if (py::isinstance<py::str>(o)) {
    try {
      return nlohmann::json::parse(o.cast<std::string>());
    } catch (const nlohmann::json::parse_error& e) {
      throw raif::error("raif: " + where + ": invalid JSON: " + e.what());
    }
  }
  return to_json(o, where);
}

// Both of raif-score's spec forms: a composition, or IFEval's instruction_id_list and kwargs.
raif::AnyNode compile_any(const nlohmann::json& s) {
  return s.is_object() && s.contains("instruction_id_list") ? raif::compile_ifeval(s) : raif::compile(s);
}

// --- compositions ------------------------------------------------------------------------------------

struct Composition {
  raif::AnyNode node;
};

struct PolicyFn {
  raif::AnyPolicy p;
  double operator()(const raif::Verdict& v) const { return raif::aggregate(p, v); }
};

const char* const policy_names[] = {"all_or_nothing", "fraction", "dependency_aware", "raif", "priority", "weighted"};

// --- rewards -----------------------------------------------------------------------------------------

// A reward recipe. A leaf built without a composition takes the sample's own (`spec`), so one
// reward serves a batch whose rows carry different instructions (TRL's and verl's datasets).
struct Reward {
  std::function<raif::RewardResult(const raif::Sample&, const raif::AnyNode* spec, raif::Detail)> fn;
  std::string repr;
};

// A recipe bound to one sample's spec: a raif::reward_term, so the C++ combinators apply as they are.
struct Bound {
  const Reward* r;
  const raif::AnyNode* spec;
  raif::Detail detail;
  raif::RewardResult operator()(const raif::Sample& s) const { return r->fn(s, spec, detail); }
};

raif::ChatTemplate chat_template(const std::string& name) {
  raif::ChatTemplate t;
  if (name == "think_only")
    t.think_only = true;
  else if (name == "none")
    t.plain = true;
  else if (name != "think_answer")
    throw raif::error("raif: unknown template '" + name + "' (expected think_answer, think_only or none)");
  return t;
}

const raif::AnyNode& pick_spec(const std::optional<raif::AnyNode>& own, const raif::AnyNode* sample) {
  if (own) return *own;
  if (!sample) throw raif::error("raif: this reward has no composition: give it one, or pass a spec for every sample");
  return *sample;
}

std::optional<raif::AnyNode> optional_spec(const py::handle& spec) {
  if (spec.is_none()) return std::nullopt;
  if (py::isinstance<Composition>(spec)) return spec.cast<const Composition&>().node;
  return compile_any(spec_json(spec, "spec"));
}

struct Batch {
  std::vector<std::string> prompts, responses;
  std::vector<nlohmann::json> contexts;
  std::vector<const raif::AnyNode*> specs;
  std::vector<raif::AnyNode> compiled; // distinct specs, compiled once
};

// Reads a batch while the GIL is held: every conversion and spec error before any scoring.
Batch read_batch(const std::vector<std::string>& prompts, const std::vector<std::string>& responses,
                 const py::object& specs, const py::object& contexts) {
  Batch b;
  const auto n = responses.size();
  if (!prompts.empty() && prompts.size() != n)
    throw raif::error("raif: got " + std::to_string(prompts.size()) + " prompts for " + std::to_string(n) +
                      " responses");
  b.prompts = prompts;
  b.prompts.resize(n);
  b.responses = responses;
  b.contexts.resize(n);
  b.specs.assign(n, nullptr);
  if (!contexts.is_none()) {
    const auto l = contexts.cast<py::sequence>();
    if (l.size() != n)
      throw raif::error("raif: got " + std::to_string(l.size()) + " contexts for " + std::to_string(n) + " responses");
    for (std::size_t i = 0; i < n; ++i) {
      b.contexts[i] = to_json(l[i], "contexts[" + std::to_string(i) + "]");
      if (!b.contexts[i].is_null() && !b.contexts[i].is_object())
        throw raif::error("raif: contexts[" + std::to_string(i) + "]: must be a dict or None");
    }
  }
  if (!specs.is_none()) {
    const auto l = specs.cast<py::sequence>();
    if (l.size() != n)
      throw raif::error("raif: got " + std::to_string(l.size()) + " specs for " + std::to_string(n) + " responses");
    // GRPO groups repeat each prompt's spec; compile each distinct one once.
    std::unordered_map<std::string, std::size_t> seen;
    std::vector<std::size_t> which(n, SIZE_MAX);
    for (std::size_t i = 0; i < n; ++i) {
      const py::handle h = l[i];
      if (h.is_none()) continue;
      if (py::isinstance<Composition>(h)) {
        b.compiled.push_back(h.cast<const Composition&>().node);
        which[i] = b.compiled.size() - 1;
        continue;
      }
      const std::string where = "specs[" + std::to_string(i) + "]";
      const nlohmann::json j = spec_json(h, where);
      const auto [it, fresh] = seen.try_emplace(j.dump(), b.compiled.size());
      if (fresh) {
        try {
          b.compiled.push_back(compile_any(j));
        } catch (const raif::error& e) { throw raif::error(where + ": " + e.what()); }
      }
      which[i] = it->second;
    }
    for (std::size_t i = 0; i < n; ++i)
      if (which[i] != SIZE_MAX) b.specs[i] = &b.compiled[which[i]];
  }
  return b;
}

std::vector<raif::RewardResult> run_batch(const Reward& r, const Batch& b, unsigned threads, raif::Detail detail) {
  std::vector<raif::RewardResult> out(b.responses.size());
  py::gil_scoped_release nogil;
  raif::LanguageDetector::instance(); // load profiles once, before the workers race for them
  raif::detail::parallel_for(out.size(), threads, [&](std::size_t i) {
    const raif::Sample s{.prompt = b.prompts[i],
                         .response = b.responses[i],
                         .context = b.contexts[i].is_null() ? nullptr : &b.contexts[i]};
    try {
      out[i] = Bound{&r, b.specs[i], detail}(s);
    } catch (const raif::error& e) { throw raif::error("sample " + std::to_string(i) + ": " + e.what()); }
  });
  return out;
}

py::dict result_dict(raif::RewardResult&& r) {
  py::dict d, comp;
  d["reward"] = r.value;
  for (const auto& [k, v] : r.components) comp[py::str(k)] = v;
  d["components"] = comp;
  d["verdict"] = r.verdict ? from_json(raif::to_json(*r.verdict)) : py::none();
  return d;
}

// --- IFEval ------------------------------------------------------------------------------------------

std::vector<raif::IfevalItem> ifeval_items(const std::vector<std::vector<std::string>>& ids, const py::object& kwargs,
                                           const std::vector<std::string>& prompts, const py::object& keys) {
  const auto n = ids.size();
  std::vector<raif::IfevalItem> items(n);
  const auto kw = kwargs.is_none() ? py::list() : kwargs.cast<py::list>();
  if (!kwargs.is_none() && kw.size() != n)
    throw raif::error("raif: got " + std::to_string(kw.size()) + " kwargs lists for " + std::to_string(n) + " items");
  if (!prompts.empty() && prompts.size() != n)
    throw raif::error("raif: got " + std::to_string(prompts.size()) + " prompts for " + std::to_string(n) + " items");
  const auto ks = keys.is_none() ? py::list() : keys.cast<py::list>();
  if (!keys.is_none() && ks.size() != n)
    throw raif::error("raif: got " + std::to_string(ks.size()) + " keys for " + std::to_string(n) + " items");
  for (std::size_t p = 0; p < n; ++p) {
    auto& it = items[p];
    it.key = keys.is_none() ? static_cast<std::int64_t>(p) : ks[p].cast<std::int64_t>();
    if (!prompts.empty()) it.prompt = prompts[p];
    it.instruction_id_list = ids[p];
    if (!kwargs.is_none()) {
      const auto j = to_json(kw[p], "kwargs[" + std::to_string(p) + "]");
      if (!j.is_array() || j.size() != ids[p].size())
        throw raif::error("raif: kwargs[" + std::to_string(p) + "]: must be a list of " +
                          std::to_string(ids[p].size()) + " dicts");
      for (const auto& k : j) it.kwargs.push_back(k.is_null() ? nlohmann::json::object() : k);
    }
  }
  return items;
}

} // namespace

PYBIND11_MODULE(_raif, m) {
  m.doc() = "raif's verifiers, compositions and rewards (C++ headers, bound with pybind11)";
  static py::exception<raif::error> exc(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const raif::error& e) { PyErr_SetString(exc.ptr(), e.what()); }
  });

  // IFEval --------------------------------------------------------------------------------------------
  m.def(
      "ifeval_ids", [] { return raif::Registry::ifeval().ids(); }, "The 25 IFEval instruction ids.");
  m.def(
      "describe",
      [](const std::string& id, const py::object& kwargs) {
        const auto kw = kwargs.is_none() ? nlohmann::json::object() : to_json(kwargs, "kwargs");
        return raif::Registry::ifeval().make(id, kw).describe();
      },
      py::arg("instruction_id"), py::arg("kwargs") = py::none(),
      "The instruction text of an IFEval constraint built from its id and kwargs.");
  m.def(
      "evaluate_ifeval",
      [](const std::vector<std::string>& responses, const std::vector<std::vector<std::string>>& ids,
         const py::object& kwargs, const std::vector<std::string>& prompts, const py::object& keys, unsigned threads) {
        if (ids.size() != responses.size())
          throw raif::error("raif: got " + std::to_string(ids.size()) + " instruction_id_lists for " +
                            std::to_string(responses.size()) + " responses");
        const auto items = ifeval_items(ids, kwargs, prompts, keys);
        std::vector<std::vector<raif::AnyConstraint>> cs;
        cs.reserve(items.size());
        for (const auto& it : items) cs.push_back(it.constraints()); // all config errors before any work
        std::vector<raif::IfevalVerdict> out(items.size());
        {
          py::gil_scoped_release nogil;
          raif::LanguageDetector::instance();
          raif::detail::parallel_for(items.size(), threads,
                                     [&](std::size_t p) { out[p] = raif::evaluate_ifeval(cs[p], responses[p]); });
        }
        py::list l;
        for (auto& v : out) l.append(py::make_tuple(py::cast(v.strict), py::cast(v.loose)));
        return l;
      },
      py::arg("responses"), py::arg("instruction_id_lists"), py::arg("kwargs") = py::none(),
      py::arg("prompts") = std::vector<std::string>{}, py::arg("keys") = py::none(), py::arg("threads") = 0u,
      "Strict and loose per-instruction verdicts, one (strict, loose) pair of lists per response.");

  // Compositions --------------------------------------------------------------------------------------
  py::class_<Composition>(m, "Composition", "A composition compiled from its JSON spec (docs/compositions.md).")
      .def(py::init([](const py::object& spec) { return Composition{compile_any(spec_json(spec, "spec"))}; }),
           py::arg("spec"))
      .def(
          "spec", [](const Composition& c) { return from_json(c.node.spec()); }, "The spec, normalised.")
      .def(
          "evaluate",
          [](const Composition& c, const std::string& answer, const std::string& prompt, const py::object& context,
             double tau) {
            const auto ctx_json = context.is_none() ? nlohmann::json(nullptr) : to_json(context, "context");
            raif::Verdict v;
            {
              py::gil_scoped_release nogil;
              const raif::Context ctx{.prompt = prompt, .fields = ctx_json.is_null() ? nullptr : &ctx_json};
              v = raif::evaluate(c.node, answer, ctx, tau);
            }
            auto d = from_json(raif::to_json(v)).cast<py::dict>();
            py::dict scores;
            for (const char* name : policy_names) scores[name] = raif::aggregate(raif::policy_from_name(name), v);
            d["scores"] = scores;
            return d;
          },
          py::arg("answer"), py::arg("prompt") = "", py::arg("context") = py::none(), py::arg("tau") = 1.0,
          "The verdict tree as a dict ({leaves, tree, self_referential}) plus `scores`: every aggregation policy.")
      .def(
          "score",
          [](const Composition& c, const std::string& answer, const std::string& policy, const std::string& prompt,
             const py::object& context, double tau) {
            const auto p = raif::policy_from_name(policy);
            const auto ctx_json = context.is_none() ? nlohmann::json(nullptr) : to_json(context, "context");
            py::gil_scoped_release nogil;
            const raif::Context ctx{.prompt = prompt, .fields = ctx_json.is_null() ? nullptr : &ctx_json};
            return raif::aggregate(p, raif::evaluate(c.node, answer, ctx, tau, raif::Detail::scores));
          },
          py::arg("answer"), py::arg("policy") = "raif", py::arg("prompt") = "", py::arg("context") = py::none(),
          py::arg("tau") = 1.0, "The answer's score under one aggregation policy.");
  m.attr("POLICIES") = py::cast(std::vector<std::string>(std::begin(policy_names), std::end(policy_names)));

  // Rewards -------------------------------------------------------------------------------------------
  py::class_<Reward>(m, "Reward", "A reward term (raif::reward_term) built from the factories below.")
      .def("__repr__", [](const Reward& r) { return r.repr; })
      .def(
          "score_batch",
          [](const Reward& r, const std::vector<std::string>& responses, const std::vector<std::string>& prompts,
             const py::object& specs, const py::object& contexts, unsigned threads, bool verdicts) {
            const Batch b = read_batch(prompts, responses, specs, contexts);
            auto res = run_batch(r, b, threads, verdicts ? raif::Detail::full : raif::Detail::scores);
            py::list l;
            for (auto& x : res) {
              if (!verdicts) x.verdict.reset();
              l.append(result_dict(std::move(x)));
            }
            return l;
          },
          py::arg("responses"), py::arg("prompts") = std::vector<std::string>{}, py::arg("specs") = py::none(),
          py::arg("contexts") = py::none(), py::arg("threads") = 0u, py::arg("verdicts") = false,
          "Scores a batch on raif's thread pool (GIL released): one {reward, components, verdict} per response.")
      .def(
          "values",
          [](const Reward& r, const std::vector<std::string>& responses, const std::vector<std::string>& prompts,
             const py::object& specs, const py::object& contexts, unsigned threads) {
            const Batch b = read_batch(prompts, responses, specs, contexts);
            const auto res = run_batch(r, b, threads, raif::Detail::scores);
            std::vector<double> v;
            v.reserve(res.size());
            for (const auto& x : res) v.push_back(x.value);
            return v;
          },
          py::arg("responses"), py::arg("prompts") = std::vector<std::string>{}, py::arg("specs") = py::none(),
          py::arg("contexts") = py::none(), py::arg("threads") = 0u,
          "The reward values only (the trainer's hot path: no reasons, no verdict trees).");

  m.def(
      "format_reward",
      [](const std::string& tmpl, bool require_nonempty_think, double ok, double bad) {
        const raif::FormatReward f{
            .chat = chat_template(tmpl), .ok = ok, .bad = bad, .require_nonempty_think = require_nonempty_think};
        return Reward{[f](const raif::Sample& s, const raif::AnyNode*, raif::Detail) { return f(s); },
                      "FormatReward(template='" + tmpl + "')"};
      },
      py::arg("template") = "think_answer", py::arg("require_nonempty_think") = false, py::arg("ok") = 1.0,
      py::arg("bad") = -1.0);
  m.def(
      "answer_reward",
      [](const py::object& spec, const std::string& policy, const std::string& tmpl, double format_fail, double tau,
         bool require_nonempty_think) {
        const PolicyFn p{raif::policy_from_name(policy)};
        const raif::FormatReward f{.chat = chat_template(tmpl), .require_nonempty_think = require_nonempty_think};
        const auto own = optional_spec(spec);
        return Reward{[=](const raif::Sample& s, const raif::AnyNode* sample_spec, raif::Detail d) {
                        return raif::AnswerReward<raif::AnyNode, PolicyFn>{.spec = pick_spec(own, sample_spec),
                                                                           .policy = p,
                                                                           .format = f,
                                                                           .format_fail = format_fail,
                                                                           .tau = tau,
                                                                           .detail = d}(s);
                      },
                      "AnswerReward(policy='" + policy + "', template='" + tmpl + "')"};
      },
      py::arg("spec") = py::none(), py::arg("policy") = "raif", py::arg("template") = "none",
      py::arg("format_fail") = -2.0, py::arg("tau") = 1.0, py::arg("require_nonempty_think") = false);
  m.def(
      "raif_reward",
      [](const py::object& spec, const std::string& tmpl, bool require_nonempty_think) {
        const auto chat = chat_template(tmpl);
        const auto own = optional_spec(spec);
        return Reward{[=](const raif::Sample& s, const raif::AnyNode* sample_spec, raif::Detail d) {
                        return raif::RaifReward<raif::AnyNode>{.spec = pick_spec(own, sample_spec),
                                                               .chat = chat,
                                                               .require_nonempty_think = require_nonempty_think,
                                                               .detail = d}(s);
                      },
                      "RaifReward(template='" + tmpl + "')"};
      },
      py::arg("spec") = py::none(), py::arg("template") = "think_answer", py::arg("require_nonempty_think") = false);

  // Combinators: the C++ ones over bound recipes; Sum and WeightedSum take any number of terms, so
  // their loop is Sum's own (value += term, components merged in order).
  m.def(
      "sum_of",
      [](std::vector<Reward> terms, std::vector<double> weights) {
        if (terms.empty()) throw raif::error("raif: Sum needs at least one reward term");
        if (!weights.empty() && weights.size() != terms.size())
          throw raif::error("raif: WeightedSum got " + std::to_string(weights.size()) + " weights for " +
                            std::to_string(terms.size()) + " terms");
        std::string repr = weights.empty() ? "Sum(" : "WeightedSum(";
        for (std::size_t i = 0; i < terms.size(); ++i) repr += (i ? ", " : "") + terms[i].repr;
        return Reward{[terms, weights](const raif::Sample& s, const raif::AnyNode* spec, raif::Detail d) {
                        raif::RewardResult out;
                        for (std::size_t i = 0; i < terms.size(); ++i) {
                          raif::RewardResult r = terms[i].fn(s, spec, d);
                          out.value += (weights.empty() ? 1.0 : weights[i]) * r.value;
                          raif::detail::merge_components(out, std::move(r));
                        }
                        return out;
                      },
                      repr + ")"};
      },
      py::arg("terms"), py::arg("weights") = std::vector<double>{});
  m.def(
      "gate_on",
      [](Reward gate, Reward term, double threshold, double otherwise) {
        const std::string repr = "GateOn(" + gate.repr + ", " + term.repr + ")";
        return Reward{
            [gate, term, threshold, otherwise](const raif::Sample& s, const raif::AnyNode* spec, raif::Detail d) {
              return raif::GateOn<Bound, Bound>{.gate = {&gate, spec, d},
                                                .term = {&term, spec, d},
                                                .threshold = threshold,
                                                .otherwise = otherwise}(s);
            },
            repr};
      },
      py::arg("gate"), py::arg("term"), py::arg("threshold") = 1.0, py::arg("otherwise") = 0.0);
  m.def(
      "clip",
      [](Reward term, double lo, double hi) {
        const std::string repr = "Clip(" + term.repr + ")";
        return Reward{[term, lo, hi](const raif::Sample& s, const raif::AnyNode* spec, raif::Detail d) {
                        return raif::Clip<Bound>{.term = {&term, spec, d}, .lo = lo, .hi = hi}(s);
                      },
                      repr};
      },
      py::arg("term"), py::arg("lo") = -1.0, py::arg("hi") = 1.0);
  m.def(
      "scale",
      [](Reward term, double factor) {
        const std::string repr = "Scale(" + term.repr + ")";
        return Reward{[term, factor](const raif::Sample& s, const raif::AnyNode* spec, raif::Detail d) {
                        return raif::Scale<Bound>{.term = {&term, spec, d}, .factor = factor}(s);
                      },
                      repr};
      },
      py::arg("term"), py::arg("factor") = 1.0);
}
