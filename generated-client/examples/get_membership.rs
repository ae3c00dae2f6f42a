//! One membership of an organization's team, and what Cal.com says when it is not there.
//!
//! ```sh
//! CAL_API_KEY=cal_live_... cargo run -p calcom --example get_membership -- ORG_ID TEAM_ID MEMBERSHIP_ID [BASE_URL]
//! ```

use calcom::Error;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [org, team, membership, rest @ ..] = args.as_slice() else {
        return Err("usage: get_membership ORG_ID TEAM_ID MEMBERSHIP_ID [BASE_URL]".into());
    };
    let key = std::env::var("CAL_API_KEY").map_err(|_| "set CAL_API_KEY to an API key")?;
    let mut builder = calcom::Client::builder().api_key(key);
    if let Some(base_url) = rest.first() {
        builder = builder.base_url(base_url);
    }
    let cal = builder.build()?;

    match cal.orgs().teams().memberships().get(org.parse()?, team.parse()?, membership.parse()?).await {
        Ok(m) => println!("{} is {} of team {} (accepted: {})", m.user.email, m.role, m.team_id, m.accepted),
        Err(Error::Api(e)) if e.status() == 404 => {
            println!("not found: {} (request id {})", e.message().unwrap_or("-"), e.request_id().unwrap_or("-"))
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
