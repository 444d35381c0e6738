-- One row per month ('YYYY-MM') and channel, plus `ALL`: identified, new and returning customers and the
-- repeat rate (costing spec §7.1-7.2; customers are the golden customers of dim_customers).
select
    month,
    channel,
    orders,
    identified_customers,
    new_customers,
    returning_customers,
    returning_customer_share,
    repeat_customer_rate,
    net_revenue_ht,
    aov_ht
from {{ ref('rpt_channel_kpis_monthly') }}
