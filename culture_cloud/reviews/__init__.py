"""Reviews and feedback (评价反馈平台): ratings with moderation and replies, complaints."""
