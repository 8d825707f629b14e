#pragma once
/// @file
/// Streaming JSONL for the command-line tools: one line parsed to a JSON object (errors name the
/// file and line), a reader that hands out lines in chunks so memory is bounded by the chunk and
/// the longest line rather than the file, per-row errors for `--on-error=skip`, and outputs that
/// appear atomically (a temporary file, renamed when everything succeeded).

#include <raif/detail/parallel.hpp>
#include <raif/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <unistd.h>

namespace raif {

/// A rejected row: where it is and why. One line of an errors JSONL: {"file", "line", "reason"}.
struct RowError {
  std::string file;
  std::size_t line = 0;
  std::string reason;

  /// "file:line: reason", the form every raif error message takes.
  std::string message() const { return file + ":" + std::to_string(line) + ": " + reason; }
  /// The JSON line (with its newline) written to the errors file.
  std::string to_jsonl() const {
    // Replacing invalid UTF-8 keeps the errors file valid JSON whatever the reason quotes.
    return nlohmann::json{{"file", file}, {"line", line}, {"reason", reason}}.dump(
               -1, ' ', false, nlohmann::json::error_handler_t::replace) +
           "\n";
  }
  /// Builds a row error from an exception raised while reading the row at file:line; the
  /// "file:line: " prefix of its message, when present, is not repeated in the reason.
  static RowError from(std::string file, std::size_t line, const std::exception& e) {
    std::string reason = e.what();
    const std::string prefix = file + ":" + std::to_string(line) + ": ";
    if (reason.starts_with(prefix)) reason.erase(0, prefix.size());
    return {std::move(file), line, std::move(reason)};
  }
};

/// A bad row, thrown as a raif::error whose message is "file:line: reason"; row() keeps the parts.
class row_error : public error {
public:
  explicit row_error(RowError r) : error(r.message()), row_(std::move(r)) {}
  const RowError& row() const { return row_; }

private:
  RowError row_;
};

/// Parses one JSONL line that must hold a JSON object (invalid JSON, invalid UTF-8 and lone
/// surrogates are rejected). Throws row_error naming file:line.
inline nlohmann::json parse_jsonl_object(std::string_view line, const std::string& file, std::size_t no) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& e) {
    throw row_error({file, no, std::string("not a valid JSON line: ") + e.what()});
  }
  if (!j.is_object()) throw row_error({file, no, "expected a JSON object"});
  return j;
}

/// True for a line JSONL readers skip (empty or only spaces, tabs, carriage returns).
inline bool blank_jsonl_line(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

/// One non-blank line of a JSONL file: its text, 1-based line number and byte offset.
struct JsonlLine {
  std::string text;
  std::size_t line = 0;
  std::uint64_t offset = 0;
};

/// Reads a JSONL file in chunks of non-blank lines; memory is what one chunk holds.
class JsonlReader {
public:
  explicit JsonlReader(std::string path) : path_(std::move(path)), buffer_(1 << 20) {
    in_.rdbuf()->pubsetbuf(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    in_.open(path_, std::ios::binary);
    if (!in_) throw error(path_ + ": cannot open file");
  }
  const std::string& path() const { return path_; }

  /// Replaces `out` with the next lines: up to `max_lines`, fewer once `max_bytes` of text are
  /// read (at least one line). Returns false when the file is exhausted and `out` is empty.
  bool next(std::vector<JsonlLine>& out, std::size_t max_lines, std::size_t max_bytes = 64u << 20) {
    std::size_t n = 0, bytes = 0;
    if (out.size() < max_lines) out.resize(max_lines); // slots keep their capacity from chunk to chunk
    while (n < max_lines && bytes < max_bytes) {
      JsonlLine& l = out[n];
      if (!std::getline(in_, l.text)) break;
      l.line = ++line_;
      l.offset = offset_;
      offset_ += l.text.size() + (in_.eof() ? 0 : 1);
      if (blank_jsonl_line(l.text)) continue;
      bytes += l.text.size();
      ++n;
    }
    if (in_.bad()) throw error(path_ + ": read error");
    out.resize(n);
    return n > 0;
  }

private:
  std::string path_;
  std::vector<char> buffer_;
  std::ifstream in_;
  std::size_t line_ = 0;
  std::uint64_t offset_ = 0;
};

/// What a tool does with a bad row: stop (nothing is written, exit 2) or skip it (report it,
/// evaluate the others, write the outputs, exit 3).
enum class OnError { stop, skip };

/// Exit codes of raif-ifeval and raif-score.
inline constexpr int exit_ok = 0, exit_fatal = 2, exit_skipped_rows = 3;

/// An output file written atomically: lines go to `<path>.tmp<pid>`, commit() renames it to
/// `<path>`; destroyed uncommitted, it removes the temporary file (so an error writes nothing).
class AtomicOutput {
public:
  explicit AtomicOutput(std::filesystem::path path)
      : path_(std::move(path)), tmp_(std::filesystem::path(path_).concat(".tmp" + std::to_string(::getpid()))),
        buffer_(1 << 20) {
    out_.rdbuf()->pubsetbuf(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    out_.open(tmp_, std::ios::binary);
    if (!out_) throw error(tmp_.string() + ": cannot open for writing");
  }
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  ~AtomicOutput() {
    if (!committed_) {
      out_.close();
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  const std::filesystem::path& path() const { return path_; }
  void write(std::string_view s) { out_.write(s.data(), static_cast<std::streamsize>(s.size())); }
  /// Flushes and closes the temporary file (raif::error if writing failed); rename() then moves it.
  void close() {
    out_.close();
    if (!out_) throw error(tmp_.string() + ": write failed");
  }
  void rename() {
    std::filesystem::rename(tmp_, path_);
    committed_ = true;
  }

private:
  std::filesystem::path path_, tmp_;
  std::vector<char> buffer_;
  std::ofstream out_;
  bool committed_ = false;
};

/// Where bad rows go. With OnError::stop, report() throws the row's error; with OnError::skip it
/// prints "<tool>: skipped file:line: reason" on stderr and appends the row to the errors JSONL.
class RowErrorLog {
public:
  RowErrorLog(OnError mode, std::string tool, const std::filesystem::path& errors_path)
      : mode_(mode), tool_(std::move(tool)) {
    if (mode_ == OnError::skip) out_ = std::make_unique<AtomicOutput>(errors_path);
  }
  OnError mode() const { return mode_; }
  void report(const RowError& r) {
    if (mode_ == OnError::stop) throw row_error(r);
    std::cerr << tool_ << ": skipped " << r.message() << "\n";
    out_->write(r.to_jsonl());
    ++count_;
  }
  std::size_t count() const { return count_; }
  /// The errors file, or nullptr with OnError::stop (nothing is written then).
  AtomicOutput* output() { return out_.get(); }

private:
  OnError mode_;
  std::string tool_;
  std::unique_ptr<AtomicOutput> out_;
  std::size_t count_ = 0;
};

/// Streams a JSONL file: reads `chunk_lines` lines at a time, runs work(line, slot) for each line
/// of the chunk in parallel (`threads`, 0: all cores), then commit(line, slot) for each on the
/// calling thread in file order. Slots are reused across chunks (work must reset what it sets).
/// Memory: one chunk of lines and slots. An exception from work or commit stops the stream.
template <class Slot, class Work, class Commit>
void stream_jsonl(const std::string& path, unsigned threads, std::size_t chunk_lines, Work&& work, Commit&& commit) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  JsonlReader reader(path);
  std::vector<JsonlLine> lines;
  std::vector<Slot> slots;
  while (reader.next(lines, chunk_lines)) {
    if (slots.size() < lines.size()) slots.resize(lines.size());
    detail::parallel_for(lines.size(), threads, [&](std::size_t i) { work(lines[i], slots[i]); });
    for (std::size_t i = 0; i < lines.size(); ++i) commit(lines[i], slots[i]);
  }
}

} // namespace raif
