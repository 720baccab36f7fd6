#!/usr/bin/perl
# id_namespace_enable.t - ID (RFC 2971) answers our name and version before
# and after login and logs the client's fields; a malformed ID is BAD;
# NAMESPACE (RFC 2342) after login reflects the configuration and the
# admin flag from `admins`;
# ENABLE (RFC 5161) of unknown extensions answers an empty "* ENABLED".
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node();
my $c = Murder::RawIMAP->connect($n);
my ($ok, @u) = $c->cmd('ID ("name" "testclient" "version" "1.0")');
like($ok, qr/^t1 OK/, 'ID ok');
like($u[0], qr/^\* ID \("name" "murder" "version" "[^"]+"\)$/, 'ID response');
ok($n->wait_for_log(qr/client id name=<testclient> version=<1\.0>/, 5), 'client ID logged');
like(scalar $c->cmd('ID ("name")'), qr/^t2 BAD/, 'odd ID list is BAD');
like($c->login('alice', 'alice-pw'), qr/^t3 OK/, 'login');
($ok, @u) = $c->cmd('ID NIL');
like($ok, qr/^t4 OK/, 'ID NIL after login');
($ok, @u) = $c->cmd('NAMESPACE');
like($ok, qr/^t5 OK/, 'NAMESPACE ok');
is($u[0], '* NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))',
   'alternate namespace (the defaults altnamespace, unixhierarchysep)');
($ok, @u) = $c->cmd('ENABLE X-UNKNOWN-EXTENSION');
like($ok, qr/^t6 OK/, 'ENABLE ok');
is_deeply(\@u, ['* ENABLED'], 'nothing enabled');
like(scalar $c->cmd('ENABLE'), qr/^t7 BAD/, 'ENABLE without arguments is BAD');

# an admin (listed in `admins`) always gets the standard namespace
my $a = Murder::RawIMAP->connect($n);
like($a->login('admin', 'admin-pw'), qr/^t1 OK/, 'admin login');
($ok, @u) = $a->cmd('NAMESPACE');
is($u[0], '* NAMESPACE (("INBOX/" "/")) (("user/" "/")) (("" "/"))', 'admin: standard namespace');
$n->stop;
done_testing;
