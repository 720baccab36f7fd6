#!/usr/bin/perl
# bad_cyrus_conf.t - an error in cyrus.conf stops master before it
# listens: exit code EX_CONFIG (78), a message naming the file, the line
# and the key or construct at fault (and what is allowed where there is a
# range), no pidfile, nothing left running, the good service not listening.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 90;
use Murder::Instance;
use Murder::Ports qw(alloc_port release_port);

skip_unless_built(qw(master testsvc));

# [name, bad entry text (@CMD@ and @ADDR@ substituted), regexps for the message]
my @cases = (
    ['prefork_nan', 'bad cmd="@CMD@" listen="@ADDR@" prefork=x', [qr/\bprefork\b/, qr/\bbad\b/, qr/10000/]],
    ['prefork_neg', 'bad cmd="@CMD@" listen="@ADDR@" prefork=-3', [qr/\bprefork\b/, qr/10000/]],
    ['maxchild_nan', 'bad cmd="@CMD@" listen="@ADDR@" maxchild=lots', [qr/\bmaxchild\b/]],
    ['no_cmd', 'bad listen="@ADDR@" prefork=1', [qr/\bcmd\b/, qr/\bbad\b/]],
    ['no_listen', 'bad cmd="@CMD@" prefork=1', [qr/\blisten\b/, qr/\bbad\b/]],
    ['bad_port', 'bad cmd="@CMD@" listen="127.0.0.1:99999"', [qr/\blisten\b/]],
    ['open_quote', 'bad cmd="@CMD@ listen="@ADDR@"', [qr/quot|"/i]],
    ['proto', 'bad cmd="@CMD@" listen="@ADDR@" proto=carrierpigeon', [qr/\bproto\b/, qr/tcp/]],
);

my $good_port;
for my $c (@cases) {
    my ($name, $entry, $res) = @$c;
    my $i = Murder::Instance->new(name => $name,
        services => [{ name => 'good', cmd => 'testsvc', prefork => 1 }]);
    $i->prepare;    # resolves the good service's port and the command
    my $cmd = $i->service('good')->{cmdline};
    my $port = alloc_port($i->address);
    release_port($port);
    $entry =~ s/\@CMD\@/$cmd/g;
    $entry =~ s/\@ADDR\@/@{[$i->address]}:$port/g;
    my $good = $i->service('good');
    my $text = "# cyrus.conf with one bad line\nSTART {\n}\nSERVICES {\n"
        . qq{  good cmd="$cmd" listen="$good->{listen_str}" prefork=1\n}
        . "  $entry\n}\nEVENTS {\n}\n";
    my $line = 6;
    $i->set_cyrus_conf_text($text);
    my ($status, $log) = $i->start_expect_failure(10);
    ok(defined $status && $status != 0, "$name: master refuses to start") or next;
    is($status >> 8, 78, "$name: exit code EX_CONFIG");
    my $conf = $i->cyrus_conf;
    my @hits = grep { /\Q$conf\E:$line\b/ } split(/\n/, $log);
    ok(@hits, "$name: message names $conf:$line") or diag("log:\n$log");
    for my $re (@$res) {
        ok((grep { $_ =~ $re } @hits), "$name: message matches $re") or diag("message: @hits");
    }
    ok(!-e $i->pidfile, "$name: no pidfile");
    ok(!Murder::Instance::is_listening($i->address, $good->{port}), "$name: good service not listening");
    is_deeply($i->{leftovers}, [], "$name: no process left");
}

# A section that does not exist.
{
    my $i = Murder::Instance->new(name => 'section',
        services => [{ name => 'good', cmd => 'testsvc', prefork => 1 }]);
    $i->prepare;
    my $text = $i->cyrus_conf_text . "BOGUS {\n}\n";
    my $line = () = $text =~ /\n/g;
    $line -= 1;
    $i->set_cyrus_conf_text($text);
    my ($status, $log) = $i->start_expect_failure(10);
    ok(defined $status && $status >> 8 == 78, 'unknown section: EX_CONFIG');
    ok((grep { /\Q@{[$i->cyrus_conf]}\E:$line\b/ && /BOGUS/ } split(/\n/, $log)),
       "unknown section: message names file:$line and BOGUS") or diag("log:\n$log");
}

done_testing;
