#pragma once
/// @file
/// Reading IFEval's JSONL files. Every error names the file, the line and the field. The
/// whole-file readers (read_ifeval_input, read_ifeval_responses) suit small files; raif-ifeval
/// streams instead: rows parsed one by one (parse_ifeval_input_row) and responses looked up in a
/// ResponseIndex, which keeps 32 bytes per response line (64 at most while it grows), never the texts.

#include <raif/error.hpp>
#include <raif/eval/ifeval.hpp>
#include <raif/eval/jsonl_io.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace raif {

/// Calls f(object, line_number) for each non-blank line of a JSONL file (raif::error, naming
/// file:line, on the first line that is not a JSON object).
template <class F> void read_jsonl(const std::string& path, F&& f) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(path + ": cannot open file");
  std::string line;
  for (std::size_t no = 1; std::getline(in, line); ++no) {
    if (blank_jsonl_line(line)) continue;
    f(parse_jsonl_object(line, path, no), no);
  }
  if (in.bad()) throw error(path + ": read error");
}

/// Reads one row of input_data.jsonl: key, prompt, instruction_id_list, kwargs (other fields
/// ignored). Throws row_error naming file:line and the field. The constraints are built later
/// (IfevalItem::constraints), so an unknown id or a bad kwarg is reported there.
inline IfevalItem parse_ifeval_input_row(const nlohmann::json& j, const std::string& file, std::size_t no) {
  const auto bad = [&](std::string reason) { throw row_error({file, no, std::move(reason)}); };
  const auto field = [&](const char* name) -> const nlohmann::json& {
    auto it = j.find(name);
    if (it == j.end()) bad(std::string("missing field '") + name + "'");
    return *it;
  };
  IfevalItem it;
  it.source = file + ":" + std::to_string(no);
  const auto& key = field("key"); // IFEval writes 1000, IFBench's data "1000"
  if (key.is_number_integer())
    it.key = key.get<std::int64_t>();
  else if (const auto* k = key.get_ptr<const std::string*>();
           k && !k->empty() && k->size() <= 18 && k->find_first_not_of("0123456789") == std::string::npos)
    it.key = std::stoll(*k);
  else
    bad("field 'key' must be an integer (or a string of digits), got " + key.dump());
  const auto& prompt = field("prompt");
  if (!prompt.is_string()) bad("field 'prompt' must be a string");
  it.prompt = prompt.get<std::string>();
  const auto& ids = field("instruction_id_list");
  if (!ids.is_array()) bad("field 'instruction_id_list' must be a list of strings");
  for (const auto& id : ids) {
    if (!id.is_string()) bad("field 'instruction_id_list' must be a list of strings, got " + id.dump());
    it.instruction_id_list.push_back(id.get<std::string>());
  }
  const auto& kw = field("kwargs");
  if (!kw.is_array() || kw.size() != ids.size())
    bad("field 'kwargs' must be a list of " + std::to_string(ids.size()) + " objects");
  for (const auto& k : kw) {
    if (!k.is_object()) bad("field 'kwargs' must be a list of objects, got " + k.dump());
    it.kwargs.push_back(k);
  }
  return it;
}

/// Reads input_data.jsonl whole (raif::error on the first bad row).
inline std::vector<IfevalItem> read_ifeval_input(const std::string& path) {
  std::vector<IfevalItem> items;
  read_jsonl(path,
             [&](const nlohmann::json& j, std::size_t no) { items.push_back(parse_ifeval_input_row(j, path, no)); });
  return items;
}

/// One row of a response file. prompt is set whenever the row names one, even if the row is bad
/// otherwise; error is set for a bad row.
struct IfevalResponseRow {
  std::optional<std::string> prompt;
  std::string response;
  std::optional<RowError> error;
};

namespace detail {
/// SAX events of one response row: the top-level "prompt" and "response" (the last of a repeated
/// key, as the DOM keeps it) without building the rest. Both raif-ifeval passes read every
/// response line, so this halves their JSON cost.
struct ResponseRowSax {
  using json = nlohmann::json;
  struct Field {
    bool seen = false;
    const char* type = "";
    std::string text; // the value when type is "string"
  };
  Field prompt, response;
  Field* field = nullptr; // the top-level field whose value comes next, or null
  int depth = 0;
  bool object = false;
  std::string error;

  bool value(const char* type, std::string* text = nullptr) {
    if (depth == 0) return true; // a top-level scalar: not an object
    if (depth == 1 && field) {
      field->seen = true;
      field->type = type;
      if (text) field->text = std::move(*text);
      field = nullptr;
    }
    return true;
  }
  bool null() { return value("null"); }
  bool boolean(bool) { return value("boolean"); }
  bool number_integer(json::number_integer_t) { return value("number"); }
  bool number_unsigned(json::number_unsigned_t) { return value("number"); }
  bool number_float(json::number_float_t, const json::string_t&) { return value("number"); }
  bool string(json::string_t& s) { return value("string", &s); }
  bool binary(json::binary_t&) { return value("binary"); }
  bool start_object(std::size_t) {
    if (depth == 0)
      object = true;
    else
      value("object");
    ++depth;
    return true;
  }
  bool end_object() {
    --depth;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth > 0) value("array");
    ++depth;
    return true;
  }
  bool end_array() {
    --depth;
    return true;
  }
  bool key(json::string_t& k) {
    if (depth == 1) field = k == "prompt" ? &prompt : k == "response" ? &response : nullptr;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error = e.what();
    return false;
  }
};
} // namespace detail

/// Reads one row of a response file: {"prompt": str, "response": str, ...}.
inline IfevalResponseRow parse_ifeval_response_row(std::string_view line, const std::string& file, std::size_t no) {
  IfevalResponseRow row;
  detail::ResponseRowSax sax;
  if (!nlohmann::json::sax_parse(line.begin(), line.end(), &sax)) {
    row.error = RowError{file, no, "not a valid JSON line: " + sax.error};
    return row;
  }
  if (!sax.object) {
    row.error = RowError{file, no, "expected a JSON object"};
    return row;
  }
  const auto& p = sax.prompt;
  const auto& r = sax.response;
  const bool p_ok = p.seen && std::string_view(p.type) == "string";
  if (p_ok) row.prompt = std::move(sax.prompt.text);
  if (!p.seen)
    row.error = RowError{file, no, "missing field 'prompt'"};
  else if (!p_ok)
    row.error = RowError{file, no, "field 'prompt' must be a string"};
  else if (!r.seen)
    row.error = RowError{file, no, "missing field 'response'"};
  else if (std::string_view(r.type) != "string")
    row.error = RowError{file, no, std::string("field 'response' must be a string, got ") + r.type};
  else
    row.response = std::move(sax.response.text);
  return row;
}

/// Reads a response file: prompt -> response (a repeated prompt: the later line wins, as in IFEval).
inline std::unordered_map<std::string, std::string> read_ifeval_responses(const std::string& path) {
  std::unordered_map<std::string, std::string> out;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(path + ": cannot open file");
  std::string line;
  for (std::size_t no = 1; std::getline(in, line); ++no) {
    if (blank_jsonl_line(line)) continue;
    auto row = parse_ifeval_response_row(line, path, no);
    if (row.error) throw row_error(*row.error);
    out[std::move(*row.prompt)] = std::move(row.response);
  }
  if (in.bad()) throw error(path + ": read error");
  return out;
}

/// A response file indexed for lookups by prompt without holding its texts: for each distinct
/// prompt, the byte offset and line number of the line that wins (the later one, as in IFEval),
/// found by the prompt's hash and verified against the prompt when the line is read back. Lines
/// are re-read with pread, so lookups may run on many threads at once.
///
/// Memory: 32 bytes per response line (up to 64 while the vector grows), never the texts.
class ResponseIndex {
public:
  /// Indexes `path`, parsing its lines in parallel (`threads`, 0: all cores). A bad row goes to
  /// `log` (which throws under OnError::stop); when the bad row names its prompt, that prompt's
  /// response is bad from then on (until a later good line for it), so it counts as missing.
  ///
  /// With `also_stripped` (IFBench's evaluator), a row whose prompt has leading or trailing
  /// whitespace also answers for its stripped prompt, unless a later row answers for that.
  ResponseIndex(std::string path, unsigned threads, std::size_t chunk_lines, RowErrorLog& log,
                bool also_stripped = false)
      : path_(std::move(path)) {
    struct Slot {
      std::uint64_t hash = 0, stripped_hash = 0;
      bool has_prompt = false, has_stripped = false;
      std::optional<RowError> error;
    };
    stream_jsonl<Slot>(
        path_, threads, chunk_lines,
        [&](const JsonlLine& l, Slot& s) {
          auto row = parse_ifeval_response_row(l.text, path_, l.line);
          s.has_prompt = row.prompt.has_value();
          s.hash = s.has_prompt ? hash(*row.prompt) : 0;
          const auto stripped = s.has_prompt ? py_strip(std::string_view(*row.prompt)) : std::string_view();
          s.has_stripped = also_stripped && s.has_prompt && stripped.size() != row.prompt->size();
          s.stripped_hash = s.has_stripped ? hash(stripped) : 0;
          s.error = std::move(row.error);
        },
        [&](const JsonlLine& l, Slot& s) {
          if (s.error) log.report(*s.error);
          const std::uint64_t line = l.line | (s.error ? bad_bit : 0);
          if (s.has_prompt) entries_.push_back({s.hash, l.offset, l.text.size(), line});
          if (s.has_stripped) entries_.push_back({s.stripped_hash, l.offset, l.text.size(), line | stripped_bit});
        });
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw error(path_ + ": cannot open file");
    // Within a hash, lines in file order; then the later line of each distinct prompt wins. Equal
    // hashes of different prompts (rare) are told apart by reading their prompts back.
    // (std::sort by hash then offset: in place, where std::stable_sort would allocate a buffer as
    // large as the index.)
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.hash != b.hash ? a.hash < b.hash : a.offset < b.offset; });
    // Compacted in place (a run never keeps more entries than it has): the peak is the vector's
    // capacity, at most 64 bytes per response line.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < entries_.size();) {
      std::size_t j = i + 1;
      while (j < entries_.size() && entries_[j].hash == entries_[i].hash) ++j;
      if (j == i + 1) {
        entries_[kept++] = entries_[i];
      } else {
        std::vector<std::pair<std::string, Entry>> distinct; // prompt -> its latest line
        for (std::size_t k = i; k < j; ++k) {
          std::string p = prompt_of(entries_[k], read(entries_[k]));
          auto d = std::find_if(distinct.begin(), distinct.end(), [&](const auto& x) { return x.first == p; });
          if (d == distinct.end())
            distinct.emplace_back(std::move(p), entries_[k]);
          else
            d->second = entries_[k];
        }
        for (auto& d : distinct) entries_[kept++] = d.second;
      }
      i = j;
    }
    entries_.resize(kept);
  }
  ResponseIndex(const ResponseIndex&) = delete;
  ResponseIndex& operator=(const ResponseIndex&) = delete;
  ~ResponseIndex() {
    if (fd_ >= 0) ::close(fd_);
  }

  /// A lookup's answer: `found` with the response, or not found; `bad_line` is the line of the
  /// bad row that holds the prompt's response (0 when the prompt is simply absent).
  struct Lookup {
    bool found = false;
    std::string response;
    std::size_t bad_line = 0;
  };

  /// The response to `prompt` (thread-safe).
  Lookup find(const std::string& prompt) const {
    const std::uint64_t h = hash(prompt);
    auto it = std::lower_bound(entries_.begin(), entries_.end(), h,
                               [](const Entry& e, std::uint64_t v) { return e.hash < v; });
    for (; it != entries_.end() && it->hash == h; ++it) {
      auto row = read(*it);
      if (prompt_of(*it, row) != prompt) continue; // another prompt with the same hash
      if (it->line & bad_bit) return {false, {}, static_cast<std::size_t>(it->line & line_mask)};
      if (row.error) throw error(row.error->message() + " (the file changed while raif-ifeval ran?)");
      return {true, std::move(row.response), 0};
    }
    return {};
  }

  const std::string& path() const { return path_; }

private:
  static constexpr std::uint64_t bad_bit = std::uint64_t(1) << 63;      // the row is bad
  static constexpr std::uint64_t stripped_bit = std::uint64_t(1) << 62; // the entry is for the stripped prompt
  static constexpr std::uint64_t line_mask = stripped_bit - 1;
  struct Entry {
    std::uint64_t hash, offset, length, line; // line: the line number and the two bits above
  };
  static std::string prompt_of(const Entry& e, const IfevalResponseRow& row) {
    return (e.line & stripped_bit) ? std::string(py_strip(std::string_view(*row.prompt))) : *row.prompt;
  }
  static std::uint64_t hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

  IfevalResponseRow read(const Entry& e) const {
    std::string text(e.length, '\0');
    std::size_t got = 0;
    while (got < text.size()) {
      const auto n = ::pread(fd_, text.data() + got, text.size() - got, static_cast<off_t>(e.offset + got));
      if (n <= 0) throw error(path_ + ": read error (did the file change while raif-ifeval ran?)");
      got += static_cast<std::size_t>(n);
    }
    const std::size_t line = e.line & line_mask;
    auto row = parse_ifeval_response_row(text, path_, line);
    if (!row.prompt)
      throw error(path_ + ":" + std::to_string(line) + ": changed while raif-ifeval ran (no prompt on re-reading)");
    return row;
  }

  std::string path_;
  std::vector<Entry> entries_;
  int fd_ = -1;
};

} // namespace raif
