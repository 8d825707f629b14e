#pragma once
/// @file
/// ChatML, the Qwen2 chat format:
///
///   <|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n
///
/// followed by the assistant's reply and <|im_end|>. `no_think` pre-fills the empty think block
/// `<think>\n\n</think>\n` that forces the no-reasoning samples of superior-CoT enforcement
/// (method.md §3): the model continues after it, straight into the answer.
///
/// A checkpoint's `chat_template` (Jinja, in tokenizer_config.json) is not interpreted: raif
/// recognises the ChatML family and reads the one thing its templates vary in for plain
/// conversations, the system message used when the conversation has none (Qwen2.5-Instruct's "You
/// are Qwen, created by Alibaba Cloud. ..."; none for Qwen3). Tools and Qwen3's removal of earlier
/// turns' reasoning are not rendered (docs/models.md).
///
///   auto chat = raif::ChatML::from_template(config["chat_template"], "tokenizer_config.json");
///   chat.render({{"user", "Hello!"}}, /*add_generation_prompt=*/true);

#include <raif/error.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace raif {

namespace detail {
// The Jinja single-quoted string that starts right after `prefix` in `s`, unescaped (\n, \t, \r, \', \\).
inline std::optional<std::string> jinja_string_after(std::string_view s, std::string_view prefix) {
  const auto at = s.find(prefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::string out;
  for (std::size_t i = at + prefix.size(); i < s.size(); ++i) {
    if (s[i] == '\'') return out;
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char escaped = s[++i];
      out += escaped == 'n' ? '\n' : escaped == 't' ? '\t' : escaped == 'r' ? '\r' : escaped;
    } else {
      out += s[i];
    }
  }
  return std::nullopt; // unterminated
}
// `s` as the inside of a Jinja single-quoted string (the escapes jinja_string_after reads back).
inline std::string jinja_quote(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
    case '\\': out += "\\\\"; break;
    case '\'': out += "\\'"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default: out += c;
    }
  }
  return out;
}
} // namespace detail

struct ChatMessage {
  std::string role, content;
};

struct ChatML {
  std::string im_start = "<|im_start|>", im_end = "<|im_end|>";
  std::string no_think_prefill = "<think>\n\n</think>\n";
  std::string default_system; ///< the system turn of a conversation without one ("": none)

  /// The prompt up to the assistant's turn (what generation continues from); an empty `system`
  /// takes the default one.
  std::string prompt(std::string_view system, std::string_view user, bool no_think = false) const {
    std::string s = system_turn(system);
    s += turn("user", user);
    s += im_start + "assistant\n";
    if (no_think) s += no_think_prefill;
    return s;
  }
  /// A whole conversation, the assistant's reply closed by <|im_end|> (behaviour-cloning targets).
  std::string conversation(std::string_view system, std::string_view user, std::string_view assistant) const {
    return prompt(system, user) + std::string(assistant) + im_end + "\n";
  }
  /// Any conversation, as Hugging Face's apply_chat_template renders it with a ChatML template: a
  /// leading system message, else the default one; every turn; then the assistant's opening.
  /// Roles are system, user and assistant: a `tool` turn needs the template's tool formatting.
  std::string render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
    for (const auto& m : messages)
      if (m.role != "system" && m.role != "user" && m.role != "assistant")
        throw error("raif: ChatML::render: role '" + m.role + "' is not rendered (system, user, assistant only)");
    const bool has_system = !messages.empty() && messages.front().role == "system";
    std::string s = has_system ? turn("system", messages.front().content) : system_turn("");
    for (std::size_t i = has_system ? 1 : 0; i < messages.size(); ++i) s += turn(messages[i].role, messages[i].content);
    if (add_generation_prompt) s += im_start + "assistant\n";
    return s;
  }
  std::string turn(std::string_view role, std::string_view content) const {
    std::string s = im_start; // appended, not `+`: GCC 12's -Wrestrict misfires on string_view sums
    s.append(role).append("\n").append(content).append(im_end).append("\n");
    return s;
  }

  /// This ChatML as a Jinja `chat_template` (what Hugging Face's tokenizer_config.json holds), so that
  /// transformers' apply_chat_template renders what `render` does: a leading system message, else
  /// `default_system` (when set); every turn; the assistant's opening on add_generation_prompt.
  /// from_template(to_template()) gives this ChatML back.
  std::string to_template() const {
    const std::string open = detail::jinja_quote(im_start), close = detail::jinja_quote(im_end + "\n");
    std::string t;
    if (!default_system.empty())
      t += "{%- set default_system = '" + detail::jinja_quote(default_system) +
           "' %}{%- if not messages or messages[0]['role'] != 'system' %}{{- '" + open +
           "system\\n' + default_system + '" + close + "' }}{%- endif %}";
    t += "{%- for message in messages %}{{- '" + open + "' + message['role'] + '\\n' + message['content'] + '" + close +
         "' }}{%- endfor %}{%- if add_generation_prompt %}{{- '" + open + "assistant\\n' }}{%- endif %}";
    return t;
  }

  /// The ChatML of a checkpoint's Jinja `chat_template` (`where` names it in errors): it must be
  /// ChatML (<|im_start|>, <|im_end|>); its default system message is a `default_system = '...'`
  /// variable or a literal `'<|im_start|>system\n...<|im_end|>\n'`, else there is none.
  static ChatML from_template(std::string_view jinja, const std::string& where) {
    if (jinja.find("<|im_start|>") == std::string_view::npos || jinja.find("<|im_end|>") == std::string_view::npos)
      throw error("raif: " + where + ": chat_template is not ChatML (no <|im_start|> ... <|im_end|>); raif renders "
                  "only the ChatML family (Qwen2, Qwen2.5, Qwen3)");
    ChatML chat;
    if (auto v = detail::jinja_string_after(jinja, "default_system = '")) {
      chat.default_system = *v;
    } else {
      constexpr std::string_view open = R"('<|im_start|>system\n)";
      for (auto at = jinja.find(open); at != std::string_view::npos; at = jinja.find(open, at + 1))
        if (auto v = detail::jinja_string_after(jinja.substr(at), open); v && v->ends_with("<|im_end|>\n")) {
          chat.default_system = v->substr(0, v->size() - std::string_view("<|im_end|>\n").size());
          break; // the literal system turn; `'...system\n' + messages[0]['content']` ends at the quote
        }
    }
    return chat;
  }

private:
  std::string system_turn(std::string_view system) const {
    if (!system.empty()) return turn("system", system);
    return default_system.empty() ? std::string() : turn("system", default_system);
  }
};

} // namespace raif
