#pragma once
/// @file
/// AnyConstraint: a type-erased constraint, the runtime twin of a compile-time one. It wraps the
/// very same type, so verdicts are identical by construction; Registry builds one from an id and
/// IFEval-style kwargs.

#include <raif/constraint/constraint.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// Build time, not behaviour: Registry::ifeval(), Registry::ifbench() and standard_registry()
// instantiate every constraint type they hold, about 45 s of -O3 per translation unit that calls
// one. Header-only by default. A program that defines RAIF_SEPARATE_REGISTRIES in every translation
// unit compiles them once, in the one .cpp that includes <raif/compose/registry_definitions.hpp>.
#define RAIF_DETAIL_REGISTRY_DECLARED
#if !defined(RAIF_SEPARATE_REGISTRIES)
#define RAIF_DETAIL_REGISTRY_BODIES 1
#define RAIF_DETAIL_REGISTRY_INLINE inline
#else
#define RAIF_DETAIL_REGISTRY_INLINE
#if defined(RAIF_DETAIL_DEFINE_REGISTRIES)
#define RAIF_DETAIL_REGISTRY_BODIES 1
#else
#define RAIF_DETAIL_REGISTRY_BODIES 0
#endif
#endif

namespace raif {

/// A constraint whose type is chosen at run time. Cheap to copy (shared, immutable).
class AnyConstraint {
public:
  AnyConstraint() = default;
  template <class C>
  requires(constraint<C> && !std::is_same_v<std::remove_cvref_t<C>, AnyConstraint>) AnyConstraint(C c)
      : self_(std::make_shared<Model<C>>(std::move(c))) {} // NOLINT: implicit by design

  std::string_view id() const { return self().id(); }
  bool check(const Text& t, const Context& x = {}) const { return self().check(t, x); }
  std::string describe() const { return self().describe(); }
  /// The parameters as IFEval kwargs (round-trips through Registry::make).
  nlohmann::json kwargs() const { return self().kwargs(); }
  /// Captured values the constraint reads (Chain `ref` gating).
  std::vector<std::string> reads() const { return self().reads(); }
  explicit operator bool() const noexcept { return self_ != nullptr; }

private:
  struct Concept {
    virtual ~Concept() = default;
    virtual std::string_view id() const = 0;
    virtual bool check(const Text&, const Context&) const = 0;
    virtual std::string describe() const = 0;
    virtual nlohmann::json kwargs() const = 0;
    virtual std::vector<std::string> reads() const = 0;
  };
  template <class C> struct Model final : Concept {
    explicit Model(C c) : c_(std::move(c)) {}
    std::string_view id() const override { return C::id; }
    bool check(const Text& t, const Context& x) const override { return raif::check(c_, t, x); }
    std::string describe() const override { return c_.describe(); }
    nlohmann::json kwargs() const override { return to_kwargs(c_); }
    std::vector<std::string> reads() const override {
      if constexpr (detail::reads_vars<C>)
        return c_.reads();
      else
        return {};
    }
    C c_;
  };
  const Concept& self() const {
    if (!self_) throw error("raif: use of an empty AnyConstraint");
    return *self_;
  }
  std::shared_ptr<const Concept> self_;
};

/// Maps constraint ids to factories from kwargs. Registry::ifeval() holds IFEval's 25,
/// Registry::ifbench() IFBench's 58 and IFEval's 25; add your
/// own types with add<C>().
class Registry {
public:
  using Factory = std::function<AnyConstraint(const nlohmann::json&)>;

  /// Registers C under C::id (replacing an earlier registration of that id).
  template <class C> Registry& add() {
    static_assert(constraint<C>, "raif: Registry::add<C> needs a type that models raif::constraint");
    factories_[std::string(C::id)] = [](const nlohmann::json& kw) { return AnyConstraint(from_kwargs<C>(kw)); };
    return *this;
  }

  /// Builds the constraint `id` from its kwargs; unknown ids and bad kwargs throw raif::error.
  AnyConstraint make(std::string_view id, const nlohmann::json& kwargs = nlohmann::json::object()) const {
    auto it = factories_.find(std::string(id));
    if (it == factories_.end()) {
      std::string known;
      for (const auto& [k, f] : factories_) {
        if (!known.empty()) known += ", ";
        known += k;
      }
      throw error("raif: unknown instruction id '" + std::string(id) + "' (known: " + known + ")");
    }
    return it->second(kwargs);
  }

  bool contains(std::string_view id) const { return factories_.count(std::string(id)) != 0; }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const auto& [k, f] : factories_) out.push_back(k);
    return out;
  }

  /// The 25 IFEval instruction ids (defined in constraint/ifeval.hpp).
  static const Registry& ifeval();
  /// IFBench's registry: its 58 out-of-distribution ids and IFEval's 25 (constraint/ifbench.hpp).
  static const Registry& ifbench();

private:
  std::map<std::string, Factory, std::less<>> factories_;
};

} // namespace raif
