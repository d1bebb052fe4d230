#pragma once
// A small expected type: runtime failures are values, not exceptions (ARCHITECTURE.md §5).
// C++20 has no std::expected; this covers what bokade needs and nothing more.

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace bokade {

// An error that says what went wrong in words a user can act on.
struct Error {
  std::string message;
};

template <class E>
struct Unexpected {
  E error;
};

inline Unexpected<Error> fail(std::string message) { return {Error{std::move(message)}}; }

template <class T, class E = Error>
class Expected {
 public:
  // A default-constructed value (Asio's co_spawn needs this for results of coroutines).
  Expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Expected(Unexpected<E> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // By value: `for (auto& x : *make_expected())` must not refer into a destroyed temporary.
  T operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const E& error() const& { assert(!has_value()); return std::get<1>(v_); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> v_;
};

// Expected<void>: success carries nothing.
template <class E>
class Expected<void, E> {
 public:
  Expected() = default;
  Expected(Unexpected<E> u) : err_(std::move(u.error)), ok_(false) {}  // NOLINT
  [[nodiscard]] bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const E& error() const& { assert(!ok_); return err_; }

 private:
  E err_{};
  bool ok_ = true;
};

using Status = Expected<void>;

}  // namespace bokade
