#pragma once
/// @file
/// Python 3.11's `list(csv.reader(io.StringIO(text), delimiter=d))` with the "excel" dialect: the
/// CSV reading of the IFBench checker (SPEC §2.7), including where Python raises `_csv.Error`.
///
/// The stream yields lines that end at `\n` only (a `\r` is not a line break for io.StringIO). A
/// record ends at a line end (`\n` or `\r\n`) outside quotes; a blank line is an empty record; a
/// field is quoted only if its first character is `"`, inside it `""` is one `"`, and after the
/// closing quote further characters are appended literally (`"a"b` → `ab`); a `"` inside an
/// unquoted field is literal; an unterminated quote runs to the end of the input; NUL is an
/// ordinary character (Python 3.11). No initial-space skipping, non-strict.

#include <raif/error.hpp>
#include <raif/text/utf8.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raif {

/// The "excel" dialect with a choice of delimiter (`'\t'` gives Python's "excel-tab").
struct CsvDialect {
  char32_t delimiter = U',';
};

/// One record: its fields, in order (a blank line gives an empty record).
using CsvRecord = std::vector<std::u32string>;

/// Python's default csv.field_size_limit(): a longer field is an error.
inline constexpr std::size_t csv_field_limit = 131072;

/// Where Python's csv module raises `_csv.Error`. `reason()` says what is wrong and where, in raif's
/// words; `python_message()` is Python's own message.
class CsvError : public error {
public:
  CsvError(std::string reason, std::string python_message)
      : error("raif: " + reason + " (Python's csv module raises _csv.Error: " + python_message + ")"),
        reason_(std::move(reason)), python_message_(std::move(python_message)) {}
  const std::string& reason() const noexcept { return reason_; }
  const std::string& python_message() const noexcept { return python_message_; }

private:
  std::string reason_, python_message_;
};

/// All records of `text` as Python's csv.reader reads them from io.StringIO(text) (see the file
/// comment). Throws CsvError where Python raises `_csv.Error`: a `\r` outside quotes that is not
/// followed by the end of its line ("new-line character seen in unquoted field"), and a field
/// longer than csv_field_limit characters. Linear in |text|.
inline std::vector<CsvRecord> csv_read(std::u32string_view text, CsvDialect dialect = {}) {
  // The states of CPython's Modules/_csv.c (parse_process_char) that the excel dialect reaches.
  enum class State { start_record, start_field, in_field, in_quoted_field, quote_in_quoted_field, eat_crnl };
  constexpr char32_t eol = 0xFFFFFFFF; // the end-of-line event after each line, not a character
  State state = State::start_record;
  std::vector<CsvRecord> records;
  CsvRecord fields;
  std::u32string field;
  std::size_t line = 0; // csv.reader.line_num: lines read so far

  auto save_field = [&] {
    fields.push_back(std::move(field));
    field.clear();
  };
  auto add_char = [&](char32_t c) {
    if (field.size() >= csv_field_limit)
      throw CsvError("CSV line " + std::to_string(line) + ": a field longer than " + std::to_string(csv_field_limit) +
                         " characters",
                     "field larger than field limit (" + std::to_string(csv_field_limit) + ")");
    field.push_back(c);
  };
  auto end_line = [&](char32_t c) { // \n, \r or eol in a field: the record ends
    save_field();
    state = c == eol ? State::start_record : State::eat_crnl;
  };
  auto process = [&](char32_t c) {
    const bool line_end = c == '\n' || c == '\r' || c == eol;
    switch (state) {
    case State::start_record:
      if (c == eol) break; // cannot happen: io.StringIO yields no empty line
      if (c == '\n' || c == '\r') {
        state = State::eat_crnl; // blank line: an empty record
        break;
      }
      state = State::start_field;
      [[fallthrough]];
    case State::start_field:
      if (line_end)
        end_line(c);
      else if (c == '"')
        state = State::in_quoted_field;
      else if (c == dialect.delimiter)
        save_field();
      else {
        add_char(c);
        state = State::in_field;
      }
      break;
    case State::in_field:
      if (line_end)
        end_line(c);
      else if (c == dialect.delimiter) {
        save_field();
        state = State::start_field;
      } else
        add_char(c);
      break;
    case State::in_quoted_field:
      if (c == eol) break; // the line's \n was added as a character; keep reading
      if (c == '"')
        state = State::quote_in_quoted_field;
      else
        add_char(c);
      break;
    case State::quote_in_quoted_field:
      if (c == '"') {
        add_char(c);
        state = State::in_quoted_field;
      } else if (c == dialect.delimiter) {
        save_field();
        state = State::start_field;
      } else if (line_end)
        end_line(c);
      else {
        add_char(c);
        state = State::in_field;
      }
      break;
    case State::eat_crnl:
      if (c == eol)
        state = State::start_record;
      else if (c != '\n' && c != '\r')
        throw CsvError("CSV line " + std::to_string(line) +
                           ": a carriage return (\\r) outside quotes that does not end the line",
                       "new-line character seen in unquoted field - do you need to open the file in "
                       "universal-newline mode?");
      break;
    }
  };

  for (std::size_t begin = 0; begin < text.size();) {
    const std::size_t nl = text.find(U'\n', begin);
    const std::size_t end = nl == text.npos ? text.size() : nl + 1;
    ++line;
    for (std::size_t i = begin; i < end; ++i) process(text[i]);
    process(eol);
    if (state == State::start_record) {
      records.push_back(std::move(fields));
      fields.clear();
    }
    begin = end;
  }
  if (state == State::in_quoted_field) { // the input ends inside quotes: Python saves the field
    save_field();
    records.push_back(std::move(fields));
  }
  return records;
}

/// csv_read over UTF-8 text.
inline std::vector<CsvRecord> csv_read(std::string_view utf8, CsvDialect dialect = {}) {
  return csv_read(std::u32string_view(utf8_decode(utf8)), dialect);
}

} // namespace raif
