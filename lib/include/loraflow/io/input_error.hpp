// loraflow/io/input_error.hpp: the exception thrown for a bad input file.
//
// Provides: loraflow::input_error, a std::runtime_error whose message is one line that names the file (and the
// line, for text files) and says what was expected, e.g. "W1.npy: expected dtype '<f8' (float64), found '<f4'".
//
// Why a type of its own: tools catch it at main and print the message as it is; a malformed input is the user's
// to fix, unlike a failed write (std::runtime_error) or a bad argument in code (std::invalid_argument).
#pragma once

#include <stdexcept>

namespace loraflow {

/// A user-supplied input file cannot be used; what() is one line: "<file>[:<line>]: <what was expected>".
struct input_error : std::runtime_error {
  using runtime_error::runtime_error;
};

}  // namespace loraflow
