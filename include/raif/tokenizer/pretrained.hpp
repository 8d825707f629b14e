#pragma once
/// @file
/// A Hugging Face checkpoint's tokenizer, from its folder: `tokenizer.json` (BPE, added tokens),
/// `tokenizer_config.json` (the ChatML chat template, eos and pad tokens; recent transformers write
/// the template to `chat_template.jinja` instead, read when the config has none) and, when present,
/// `generation_config.json` (the ids generation stops on: Qwen2.5-Instruct stops on <|im_end|>
/// and <|endoftext|>, while its tokenizer's eos is only the first).
///
///   auto pre = raif::PretrainedTokenizer::load("Qwen2.5-0.5B-Instruct");
///   auto ids = pre.tokenizer.encode(pre.chat.render({{"user", "Hi"}}, true));

#include <raif/detail/json_field.hpp>
#include <raif/detail/json_file.hpp>
#include <raif/error.hpp>
#include <raif/tokenizer/bpe.hpp>
#include <raif/tokenizer/chat_template.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raif {

struct PretrainedTokenizer {
  using Id = BpeTokenizer::Id;
  BpeTokenizer tokenizer;
  ChatML chat;
  std::vector<Id> stop_ids; ///< generation_config's eos_token_id (one or a list), else the eos token
  Id eos_id = 0;            ///< tokenizer_config's eos_token: it closes an assistant turn
  Id pad_id = 0;            ///< tokenizer_config's pad_token, else the eos token

  /// Reads the three files of `dir`; every error names the file and the field.
  static PretrainedTokenizer load(const std::filesystem::path& dir) {
    Files files{.config = detail::read_file(dir / "tokenizer_config.json"),
                .config_where = (dir / "tokenizer_config.json").string()};
    if (const auto jinja = dir / "chat_template.jinja"; std::filesystem::exists(jinja))
      files.jinja = detail::read_file(jinja), files.jinja_where = jinja.string();
    if (const auto gen = dir / "generation_config.json"; std::filesystem::exists(gen))
      files.generation = detail::read_file(gen), files.generation_where = gen.string();
    return from_files(BpeTokenizer::load((dir / "tokenizer.json").string()), files);
  }

  /// The texts of the files beside tokenizer.json, each with the name its errors give (an empty
  /// name: the file is absent).
  struct Files {
    std::string config, config_where, jinja, jinja_where, generation, generation_where;
  };
  /// The checkpoint's tokenizer from `tokenizer` and those texts (what load() reads; the fuzz target
  /// fuzz/targets/tokenizer_config.cpp feeds it directly).
  static PretrainedTokenizer from_files(BpeTokenizer tokenizer, const Files& f) {
    using namespace detail;
    PretrainedTokenizer loaded;
    loaded.tokenizer = std::move(tokenizer);
    const auto& config_path = f.config_where;
    const auto config = parse_json_text(f.config, config_path);
    if (!config.is_object()) throw error("raif: " + config_path + ": expected a JSON object, got " + json_kind(config));
    if (const auto* tpl = find_field(config, "chat_template"); tpl && !tpl->is_null()) {
      loaded.chat = ChatML::from_template(as_string(*tpl, config_path, "chat_template"), config_path);
    } else if (!f.jinja_where.empty()) {
      loaded.chat = ChatML::from_template(f.jinja, f.jinja_where);
    } else {
      throw field_error(config_path, "chat_template", "missing, and no chat_template.jinja beside it");
    }
    // A special token is written as its text or as an AddedToken object {"content": ...}.
    auto token_id = [&](const nlohmann::json& v, const std::string& field) -> Id {
      const auto& text =
          v.is_object() ? as_string(require_field(v, "content", config_path, field + ".content"), config_path,
                                    field + ".content")
                        : as_string(v, config_path, field);
      if (auto id = loaded.tokenizer.find_token(text)) return *id;
      throw field_error(config_path, field, quote(text) + " is not a token of tokenizer.json");
    };
    loaded.eos_id = token_id(require_field(config, "eos_token", config_path, "eos_token"), "eos_token");
    const auto* pad = find_field(config, "pad_token");
    loaded.pad_id = pad && !pad->is_null() ? token_id(*pad, "pad_token") : loaded.eos_id;
    loaded.stop_ids = {loaded.eos_id};
    if (!f.generation_where.empty())
      loaded.stop_ids =
          parse_stop_ids(f.generation, f.generation_where, loaded.tokenizer.vocab_size(), loaded.stop_ids);
    return loaded;
  }

private:
  static std::vector<Id> parse_stop_ids(std::string_view text, const std::string& path, std::size_t vocab,
                                        std::vector<Id> fallback) {
    using namespace detail;
    const auto gen = parse_json_text(text, path);
    if (!gen.is_object()) throw error("raif: " + path + ": expected a JSON object, got " + json_kind(gen));
    const auto* eos = find_field(gen, "eos_token_id");
    if (!eos || eos->is_null()) return fallback;
    const auto max_id = static_cast<std::int64_t>(vocab) - 1;
    if (!eos->is_array()) return {as_int(*eos, path, "eos_token_id", 0, max_id)};
    std::vector<Id> ids;
    for (std::size_t i = 0; i < eos->size(); ++i)
      ids.push_back(as_int((*eos)[i], path, "eos_token_id[" + std::to_string(i) + "]", 0, max_id));
    if (ids.empty()) throw field_error(path, "eos_token_id", "an empty list stops nothing");
    return ids;
  }
};

} // namespace raif
