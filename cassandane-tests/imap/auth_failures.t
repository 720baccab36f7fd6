#!/usr/bin/perl
# auth_failures.t - failed logins are counted per connection: after
# maxauthfailures failures the server answers NO and then
# "* BYE Too many authentication failures" and closes.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::RawIMAP;

skip_unless_built(qw(master imapd));

my $n = Murder::RawIMAP::imapd_node(config => { maxauthfailures => 2 });
my $c = Murder::RawIMAP->connect($n);
like($c->login('alice', 'bad1'), qr/^t1 NO \[AUTHENTICATIONFAILED\]/, 'failure 1');
my ($no, @u) = $c->cmd('AUTHENTICATE PLAIN ' . Murder::RawIMAP::plain('', 'alice', 'bad2'));
like($no, qr/^t2 NO \[AUTHENTICATIONFAILED\]/, 'failure 2');
ok($c->at_eof, 'disconnected');
ok(grep(/^\* BYE Too many authentication failures/, @{$c->{tail}}), 'BYE');
my $d = Murder::RawIMAP->connect($n);
like($d->login('alice', 'alice-pw'), qr/^t1 OK/, 'a new connection may log in');
$n->stop;
done_testing;
