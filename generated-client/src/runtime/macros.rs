//! The macros generated code invokes: the methods every request builder has, and the impls of
//! every string enum.

/// The methods every request builder has: `send`, `with_response`, `.await` (`IntoFuture`), and
/// the per-request settings. The generated code writes only what differs between operations:
/// its fields, its setters and `into_call`.
macro_rules! request_methods {
    ($builder:ident => ()) => {
        impl<'a> $builder<'a> {
            /// Sends the request.
            pub fn send(self) -> $crate::RequestFuture<'a, ()> {
                $crate::RequestFuture::new(self.into_call().send_unit())
            }

            /// Sends the request and returns the HTTP status and headers of the answer.
            pub fn with_response(self) -> impl ::std::future::Future<Output = $crate::Result<$crate::Response<()>>> + Send + 'a {
                self.into_call().send_unit()
            }
        }
        $crate::runtime::request_methods!(@common $builder => ());
    };
    ($builder:ident => pages of $item:ty, $size:ident, $offset:ident, $default:literal) => {
        $crate::runtime::request_methods!($builder => Vec<$item>, paginated($size, $offset, $default, $item));
    };
    ($builder:ident => $out:ty $(, paginated($size:ident, $offset:ident, $default:expr, $item:ty))?) => {
        impl<'a> $builder<'a> {
            /// Sends the request and returns the decoded response.
            pub fn send(self) -> $crate::RequestFuture<'a, $out> {
                $crate::RequestFuture::new(self.into_call().send())
            }

            /// Sends the request and returns the decoded response with the HTTP status and headers
            /// of the answer (request id, rate-limit headers, pagination).
            pub fn with_response(self) -> impl ::std::future::Future<Output = $crate::Result<$crate::Response<$out>>> + Send + 'a {
                self.into_call().send::<$out>()
            }

            $(
            /// Every item of every page, fetched lazily, one request per page, starting at the
            /// offset set on this request (if any) with its page size (or the server's default).
            ///
            /// The stream ends at the last page, and also on an empty page or a page that repeats
            /// the one before, so it never loops forever. After an error it ends.
            pub fn stream(self) -> $crate::PageStream<'a, $item> {
                let size = self.$size.unwrap_or($default);
                let start = self.$offset.unwrap_or(0);
                $crate::runtime::paginate(self, start, size, |builder: &Self, offset, size| {
                    let mut page = builder.clone();
                    page.$size = Some(size);
                    page.$offset = Some(offset);
                    page.into_call()
                })
            }
            )?
        }
        $crate::runtime::request_methods!(@common $builder => $out);
    };
    (@common $builder:ident => $out:ty) => {
        impl<'a> $builder<'a> {
            /// The longest one attempt of this request may take; the client's timeout unless set.
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.base.options.timeout = Some(timeout);
                self
            }

            /// The longest the whole call may take, retries and waits included; the client's
            /// [`deadline`](crate::ClientBuilder::deadline) unless set. A wait the server asks
            /// for that would pass it fails at once ([`Error::RateLimited`](crate::Error::RateLimited)
            /// with the wait).
            pub fn deadline(mut self, deadline: ::std::time::Duration) -> Self {
                self.base.options.deadline = Some(deadline);
                self
            }

            /// How many times to retry this request; the client's setting unless set, `0` for none.
            pub fn max_retries(mut self, retries: u32) -> Self {
                self.base.options.max_retries = Some(retries);
                self
            }

            /// Whether to retry this request even when its method is POST or PATCH (which the
            /// client does not retry unless told, since a retry may do the thing twice).
            pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
                self.base.options.retry_non_idempotent = Some(retry);
                self
            }

            /// Sends this `cal-api-version` instead of the one the operation is described with.
            /// Other versions may answer with other shapes, which then fail to decode.
            pub fn api_version(mut self, version: $crate::ApiVersion) -> Self {
                self.base.options.api_version = Some(version);
                self
            }
        }

        impl<'a> ::std::future::IntoFuture for $builder<'a> {
            type Output = $crate::Result<$out>;
            type IntoFuture = $crate::RequestFuture<'a, $out>;

            fn into_future(self) -> Self::IntoFuture {
                self.send()
            }
        }
    };
}
pub(crate) use request_methods;

/// The impls every generated string enum has: `as_str`, `Display`, `FromStr` (never failing:
/// unknown values become `Unknown`), serde as the wire string, and query/path encoding.
/// The generated code writes only the enum and its `Variant = "wire"` pairs.
macro_rules! string_enum {
    ($name:ident { $($variant:ident = $wire:literal,)* }) => {
        impl $name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(match value {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::deserialize_enum(deserializer)
            }
        }

        impl $crate::runtime::ToParam for $name {
            fn to_param(&self) -> String {
                self.as_str().to_owned()
            }
        }

        impl $crate::decode::FromJson for $name {
            fn from_json(r: &mut $crate::decode::Reader<'_>) -> ::std::result::Result<Self, $crate::decode::JsonError> {
                $crate::runtime::enum_from_json(r)
            }
        }
    };
}
pub(crate) use string_enum;
