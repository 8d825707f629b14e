#pragma once

#include <stdexcept>
#include <string>

namespace raif {

/// The one exception type raif throws for bad input (configuration, kwargs, files, specs).
/// Messages name what is wrong and where: the file and line, the instruction id, the field and
/// the offending value.
class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace raif
