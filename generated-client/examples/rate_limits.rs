//! Staying within Cal.com's rate limit: read the remaining budget from each answer, and when the
//! server says 429 anyway (after the client's own retries), wait as long as it asks.
//!
//! ```sh
//! CAL_API_KEY=cal_live_... cargo run -p calcom --example rate_limits -- ORG_ID TEAM_ID [BASE_URL]
//! ```

use std::time::Duration;

use calcom::Error;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [org, team, rest @ ..] = args.as_slice() else {
        return Err("usage: rate_limits ORG_ID TEAM_ID [BASE_URL]".into());
    };
    let (org, team): (i64, i64) = (org.parse()?, team.parse()?);
    let key = std::env::var("CAL_API_KEY").map_err(|_| "set CAL_API_KEY to an API key")?;
    let mut builder = calcom::Client::builder().api_key(key).max_retries(2);
    if let Some(base_url) = rest.first() {
        builder = builder.base_url(base_url);
    }
    let cal = builder.build()?;

    for round in 1..=5 {
        match cal.orgs().teams().memberships().list(org, team).take(10).with_response().await {
            Ok(resp) => println!(
                "round {round}: {} memberships; {} requests left, window resets in {:?}",
                resp.value().len(),
                resp.rate_limit_remaining().map_or("?".to_owned(), |n| n.to_string()),
                resp.rate_limit_reset().unwrap_or(Duration::ZERO),
            ),
            Err(Error::RateLimited { retry_after, error }) => {
                println!("round {round}: rate limited ({error}); waiting {retry_after:?}");
                tokio::time::sleep(retry_after).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
