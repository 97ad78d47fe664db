"""The staff console (工作台) at /console: server-rendered pages for staff and administrators,
built on the website's foundation (culture_cloud/web/): one document per page, run in process
as the signed-in member of staff; the API decides what each role may see and do."""
